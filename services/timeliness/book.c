/*  book.c: being written. */
#include "derive.h"
