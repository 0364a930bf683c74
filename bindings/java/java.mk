# The Java binding's targets; included by the root Makefile:
#
#   include bindings/java/java.mk
#
#   make jar          dist/hpsocket-<version>.jar: the org.hpsocket package with the JNI library
#                     (cargo release build, stripped) packed in; `java -cp` on it is enough
#   make test-java    the jar, then the JUnit suite (real loopback sockets); its last line is
#                     "N passed, N failed, N skipped", and the exit status is the suite's
#   make java-examples  compiles examples/java against the jar (target/java/examples)
#   make java-demo    the Java echo throughput demo, same load as `make demo` (C perf_demo)
#   make maven-install  the jar, sources and Javadoc jars as org.hpsocket:hpsocket:<version>
#                     into ~/.m2, or into MAVEN_REPO=<dir> (a file:// repository for a pom)
#
# Variables: JAVA_BUILD (auto: Maven, falling back to javac + Debian's JUnit 5 when Maven
# cannot reach its repository; maven; javac), MVN (default mvn), MVN_ARGS (extra Maven
# arguments, e.g. MVN_ARGS=-Dtest=EchoTest), JUNIT_ARGS (javac path: the console launcher's
# test selection instead of --scan-class-path, e.g. "--select-class org.hpsocket.EchoTest"),
# JAVA_DEMO_ARGS (e.g. JAVA_DEMO_ARGS="-a -M pack -w 3").
#
# Needs a JDK 17+ (java, javac, jar) and, for the Maven build, Maven 3.6+.

JAVA_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
JAVA_ROOT := $(abspath $(JAVA_DIR)/../..)
JAVA_OUT := $(or $(CARGO_TARGET_DIR),$(JAVA_ROOT)/target)/java
JAVA_VERSION := $(shell sed -n 's|^  <version>\(.*\)</version>$$|\1|p' $(JAVA_DIR)/pom.xml | head -1)
JAVA_JAR := $(JAVA_ROOT)/dist/hpsocket-$(JAVA_VERSION).jar
JAVA_DEMO_ARGS ?=

.PHONY: jar test-java java-examples java-demo maven-install

# `make maven-install`: the jar with its sources and Javadoc jars into the local Maven
# repository (~/.m2), or into MAVEN_REPO=<directory> (a directory a consumer's pom names as a
# file:// repository), as org.hpsocket:hpsocket:<version>.
MAVEN_REPO ?=

jar:
	$(JAVA_DIR)/tools/build.sh jar

maven-install: jar
	$(or $(MVN),mvn) -B -q -ntp org.apache.maven.plugins:maven-install-plugin:3.1.3:install-file -Dstyle.color=never -Dfile=$(JAVA_JAR) -DpomFile=$(JAVA_DIR)/pom.xml \
	  -Dsources=$(JAVA_JAR:.jar=-sources.jar) -Djavadoc=$(JAVA_JAR:.jar=-javadoc.jar) \
	  $(if $(MAVEN_REPO),-DlocalRepositoryPath=$(MAVEN_REPO))

test-java:
	$(JAVA_DIR)/tools/build.sh test

java-examples: jar
	@mkdir -p $(JAVA_OUT)/examples
	javac --release 17 -Xlint:all -Werror -cp $(JAVA_JAR) -d $(JAVA_OUT)/examples \
	  $(JAVA_ROOT)/examples/java/*.java

java-demo: java-examples
	@echo "running: PerfDemo $(JAVA_DEMO_ARGS)  (100 connections x 100 rounds x 5000 B, every byte verified)"
	timeout -k 5 180 java -cp $(JAVA_JAR):$(JAVA_OUT)/examples PerfDemo $(JAVA_DEMO_ARGS)
