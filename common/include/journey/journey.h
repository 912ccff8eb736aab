/*  libjourney: what every Journey program shares. */
#ifndef JOURNEY_H_INCLUDED
#define JOURNEY_H_INCLUDED

#include "jy_date.h"
#include "jy_calendar.h"
#include "jy_log.h"
#include "jy_clock.h"
#include "jy_config.h"
#include "jy_wire.h"
#include "jy_db.h"
#include "jy_sql_text.h"
#include "jy_feed.h"
#include "jy_security.h"
#include "jy_service.h"
#include "jy_json.h"
#include "jy_codes.h"
#include "jy_file.h"

#endif
