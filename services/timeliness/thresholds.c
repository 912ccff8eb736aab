/*  thresholds.c: being written (see thresholds.h). */
#include "thresholds.h"
