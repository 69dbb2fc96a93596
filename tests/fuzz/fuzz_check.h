// The fuzz targets' assertion: a broken property aborts, and libFuzzer keeps the input that broke
// it.
#pragma once

#include <cstdlib>

inline void check(bool condition) {
    if (!condition) {
        std::abort();
    }
}
