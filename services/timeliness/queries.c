/*  queries.c: being written (see queries.h). */
#include "queries.h"
