# The documentation site (included by the top-level Makefile).
#
#   make docs        one site in target/docs/site: the guides (README, install, the bindings'
#                    READMEs), the ABI contract and architecture, the C reference generated
#                    from include/hpsocket.h, the C++ header, the Python and C# APIs, the Rust
#                    API (cargo doc) and the Javadoc; then every local link is checked
#   make test-docs   make docs, with rustdoc and javadoc warnings as errors, and a check that
#                    the link checker does catch a broken link and a missing anchor
#
# Python-Markdown comes from PyPI into a venv under the target directory; javadoc is the JDK's,
# the C# XML documentation is what mcs writes beside HPSocket.dll (csharp.mk).

DOCS_DIR := $(TARGET_DIR)/docs
DOCS_SITE := $(DOCS_DIR)/site
DOCS_VENV := $(DOCS_DIR)/venv
DOCS_MARKDOWN := markdown==3.11.3

.PHONY: docs test-docs

$(DOCS_VENV)/.ready:
	rm -rf $(DOCS_VENV)
	python3 -m venv $(DOCS_VENV)
	$(DOCS_VENV)/bin/pip install -q --disable-pip-version-check $(DOCS_MARKDOWN)
	touch $@

docs: deps-csharp $(DOCS_VENV)/.ready
	$(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) $(CS_OUT)/HPSocket.dll
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps -q -p hpsocket-core -p hpsocket-ffi
	rm -rf $(DOCS_DIR)/javadoc
	javadoc -quiet -Xdoclint:all,-missing -Xwerror -windowtitle hpsocket \
	  -d $(DOCS_DIR)/javadoc -sourcepath bindings/java/src/main/java -subpackages org.hpsocket
	$(DOCS_VENV)/bin/python tools/docs/build.py --out $(DOCS_SITE) --rustdoc $(TARGET_DIR)/doc \
	  --javadoc $(DOCS_DIR)/javadoc --csharp-xml $(CS_OUT)/HPSocket.xml
	python3 tools/docs/linkcheck.py $(DOCS_SITE)
	@echo "docs: open $(DOCS_SITE)/index.html"

test-docs: docs
	python3 tools/docs/test_linkcheck.py
