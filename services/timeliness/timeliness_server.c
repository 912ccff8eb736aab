/*  timeliness_server.c: being written. */
#include "derive.h"
