/*  webhook.c: being written (see webhook.h). */
#include "webhook.h"
