// Unit tests of the v1 trace parser (owned by the v1 work).
#include <gtest/gtest.h>

#include "gotrace/v1/dump.h"
