/*  clocks.c: being written (see clocks.h). */
#include "clocks.h"
