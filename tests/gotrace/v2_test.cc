// Unit tests of the v2 trace parser (owned by the v2 work).
#include <gtest/gtest.h>

#include "gotrace/v2/dump.h"
