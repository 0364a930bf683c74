// GoogleTest main that also prints the plain closing line "N passed, N failed" and passes
// RUN_ALL_TESTS()'s exit code through.
#include <gtest/gtest.h>

#include <cstdio>

namespace {

class PlainSummary : public testing::EmptyTestEventListener {
    void OnTestProgramEnd(const testing::UnitTest& u) override {
        std::printf("%d passed, %d failed\n", u.successful_test_count(), u.failed_test_count());
        std::fflush(stdout);
    }
};

}  // namespace

int main(int argc, char** argv) {
    testing::InitGoogleTest(&argc, argv);
    testing::UnitTest::GetInstance()->listeners().Append(new PlainSummary);
    return RUN_ALL_TESTS();
}
