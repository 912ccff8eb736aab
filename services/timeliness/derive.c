/*  derive.c: being written (see derive.h). */
#include "derive.h"
