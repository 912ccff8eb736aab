/*  child_records.c: being written. */
#include "derive.h"
