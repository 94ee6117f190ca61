// The browser test's main: without Chromium it says so and exits 77, which ctest reports as
// skipped (SKIP_RETURN_CODE), instead of passing silently. EPSYNC_CHROMIUM in the environment
// names another browser binary (elsewhere, or a path that does not exist to see the skip).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
  const char* chromium = std::getenv("EPSYNC_CHROMIUM");
  if (!chromium || !*chromium) chromium = EPSYNC_CHROMIUM;
  if (access(chromium, X_OK) != 0) {
    std::printf("SKIPPED: no Chromium at %s (install the Debian package chromium to run the dashboard's browser "
                "test)\n",
                chromium);
    return 77;
  }
  doctest::Context context(argc, argv);
  return context.run();
}
