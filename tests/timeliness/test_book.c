/*  book: the alert rules day by day (the chain, passing over, DRIFTED, no lead, the clock
    moved back), the sweep, and the book as a container (a hundred thousand deadlines put,
    half removed in random order, every one found or not as it should be).
*/
#include "jy_test.h"
#include "book.h"

#define SOON       TL_ALERT_BIT (JOURNEY__V1__ALERT__KIND__DUE_SOON)
#define DRIFTED    TL_ALERT_BIT (JOURNEY__V1__ALERT__KIND__DRIFTED)
#define TODAY      TL_ALERT_BIT (JOURNEY__V1__ALERT__KIND__DUE_TODAY)
#define OVERDUE    TL_ALERT_BIT (JOURNEY__V1__ALERT__KIND__OVERDUE)
#define OVERDUE_BY TL_ALERT_BIT (JOURNEY__V1__ALERT__KIND__OVERDUE_BY)

static jy_calendar_t *s_calendar;

static tl_clocks_t *s_clocks_with_lead (const char *lead)
{
    setenv ("JOURNEY_TIMELINESS_WARN_LEAD", lead, 1);
    char err[256];
    jy_config_t *config = jy_config_load (NULL, NULL, err, sizeof err);
    assert (config);
    tl_clocks_t *clocks = tl_clocks_new (config);
    assert (clocks);
    jy_config_destroy (&config);
    unsetenv ("JOURNEY_TIMELINESS_WARN_LEAD");
    return clocks;
}

//  An ICPC due 2025-01-27 (Mon), evaluated on each day from the 20th to 10 February: what is
//  raised when, with the bits carried from day to day.
static void s_test_chain (tl_book_t *book)
{
    jy_date_t due = D ("2025-01-27");
    uint32_t alerts = 0;
    tl_state_t state;
    char raised_on[8][JY_DATE_TEXT_SIZE];
    uint32_t raised_kinds[8];
    int raised = 0;
    for (jy_date_t day = D ("2025-01-20"); day <= D ("2025-02-10"); day++) {
        uint32_t now =
            tl_book_evaluate (book, TL_CLOCK_ICPC, due, JY_DATE_INVALID, day, &alerts, &state);
        CHECK_INT (state, day > due ? TL_STATE_MISSED : TL_STATE_OPEN);
        //  Again the same day: nothing more.
        uint32_t again = alerts;
        CHECK_INT (
            tl_book_evaluate (book, TL_CLOCK_ICPC, due, JY_DATE_INVALID, day, &again, &state), 0);
        if (now && raised < 8) {
            jy_date_format (day, raised_on[raised]);
            raised_kinds[raised++] = now;
        }
    }
    CHECK_INT (raised, 4);
    CHECK_STR (raised_on[0], "2025-01-22"); //  three working days before
    CHECK_INT (raised_kinds[0], SOON);
    CHECK_STR (raised_on[1], "2025-01-27");
    CHECK_INT (raised_kinds[1], TODAY);
    CHECK_STR (raised_on[2], "2025-01-28");
    CHECK_INT (raised_kinds[2], OVERDUE);
    CHECK_STR (raised_on[3], "2025-02-04"); //  the sixth working day after due: more than 5
    CHECK_INT (raised_kinds[3], OVERDUE_BY);
    CHECK_INT (alerts, SOON | TODAY | OVERDUE | OVERDUE_BY);

    //  First evaluated late: only the latest kind, the earlier ones passed over.
    alerts = 0;
    CHECK_INT (tl_book_evaluate (book, TL_CLOCK_ICPC, due, JY_DATE_INVALID, D ("2025-02-10"),
                                 &alerts, &state),
               OVERDUE_BY);
    CHECK_INT (alerts, SOON | TODAY | OVERDUE | OVERDUE_BY);
    alerts = 0;
    CHECK_INT (tl_book_evaluate (book, TL_CLOCK_ICPC, due, JY_DATE_INVALID, D ("2025-01-28"),
                                 &alerts, &state),
               OVERDUE);
    CHECK_INT (alerts, SOON | TODAY | OVERDUE);
    //  Over the weekend: Friday 31 January is the fourth working day, so still OVERDUE only.
    alerts = SOON | TODAY | OVERDUE;
    CHECK_INT (tl_book_evaluate (book, TL_CLOCK_ICPC, due, JY_DATE_INVALID, D ("2025-02-03"),
                                 &alerts, &state),
               0);
    //  The clock moved back: open again, nothing raised twice.
    CHECK_INT (tl_book_evaluate (book, TL_CLOCK_ICPC, due, JY_DATE_INVALID, D ("2025-01-27"),
                                 &alerts, &state),
               0);
    CHECK_INT (state, TL_STATE_OPEN);
    //  A backfill's bits: nothing ever.
    alerts = TL_ALERTS_ALL;
    for (jy_date_t day = D ("2025-01-20"); day <= D ("2025-02-10"); day++)
        CHECK_INT (
            tl_book_evaluate (book, TL_CLOCK_ICPC, due, D ("2025-02-01"), day, &alerts, &state), 0);
}

static void s_test_drift (tl_book_t *book)
{
    jy_date_t due = D ("2025-01-27");
    uint32_t alerts = 0;
    tl_state_t state;
    //  Booked after the due date, before it passes: at once, with DUE_SOON when that is due too.
    CHECK_INT (tl_book_evaluate (book, TL_CLOCK_ICPC, due, D ("2025-01-29"), D ("2025-01-10"),
                                 &alerts, &state),
               DRIFTED);
    CHECK_INT (tl_book_evaluate (book, TL_CLOCK_ICPC, due, D ("2025-01-31"), D ("2025-01-22"),
                                 &alerts, &state),
               SOON);
    //  Booked in time: nothing.
    alerts = 0;
    CHECK_INT (tl_book_evaluate (book, TL_CLOCK_ICPC, due, D ("2025-01-27"), D ("2025-01-10"),
                                 &alerts, &state),
               0);
    //  Booked after the due date once it has passed: that is OVERDUE's business.
    alerts = SOON | TODAY;
    CHECK_INT (tl_book_evaluate (book, TL_CLOCK_ICPC, due, D ("2025-01-29"), D ("2025-01-28"),
                                 &alerts, &state),
               OVERDUE);
    CHECK (!(alerts & DRIFTED));
}

static void s_test_no_lead (void)
{
    tl_clocks_t *clocks = s_clocks_with_lead ("0");
    tl_book_t *book = tl_book_new (clocks, s_calendar, 5);
    uint32_t alerts = 0;
    tl_state_t state;
    for (jy_date_t day = D ("2025-01-06"); day < D ("2025-01-27"); day++)
        CHECK_INT (tl_book_evaluate (book, TL_CLOCK_ICPC, D ("2025-01-27"), JY_DATE_INVALID, day,
                                     &alerts, &state),
                   0);
    CHECK_INT (tl_book_evaluate (book, TL_CLOCK_ICPC, D ("2025-01-27"), JY_DATE_INVALID,
                                 D ("2025-01-27"), &alerts, &state),
               TODAY);
    CHECK_INT (alerts, SOON | TODAY); //  passed over: done, though it never had a day
    tl_book_destroy (&book);
    tl_clocks_destroy (&clocks);
}

typedef struct {
    int changes;
    uint32_t raised;
    int64_t last_id;
} s_seen_t;

static void s_on_change (void *arg, const tl_book_deadline_t *deadline, uint32_t raised)
{
    s_seen_t *seen = arg;
    seen->changes++;
    seen->raised |= raised;
    seen->last_id = deadline->id;
}

static void s_test_sweep (tl_book_t *book)
{
    tl_book_clear (book);
    tl_book_deadline_t deadline = {.la_code = "872",
                                   .child_id = "C1",
                                   .team_id = "T1",
                                   .worker_id = NULL,
                                   .clock = TL_CLOCK_ICPC,
                                   .started_on = D ("2025-01-06"),
                                   .planned_on = JY_DATE_INVALID,
                                   .state = TL_STATE_OPEN};
    deadline.id = 1;
    deadline.due_on = D ("2025-01-27");
    tl_book_put (book, &deadline);
    deadline.id = 2;
    deadline.due_on = D ("2025-03-27");
    tl_book_put (book, &deadline);
    deadline.id = 3;
    deadline.child_id = "C2";
    deadline.due_on = D ("2025-01-24");
    deadline.alerts = SOON | TODAY;
    tl_book_put (book, &deadline);
    CHECK_INT (tl_book_count (book), 3);

    s_seen_t seen = {0};
    //  The 27th: 1 due today, 3 overdue since the 25th; 2 far off.
    CHECK_INT (tl_book_sweep (book, D ("2025-01-27"), s_on_change, &seen), 2);
    CHECK_INT (seen.raised, TODAY | OVERDUE);
    tl_book_deadline_t got;
    CHECK (tl_book_get (book, 3, &got));
    CHECK_INT (got.state, TL_STATE_MISSED);
    CHECK_INT (got.alerts, SOON | TODAY | OVERDUE);
    CHECK_STR (got.child_id, "C2");
    CHECK_STR (got.team_id, "T1");
    CHECK (got.worker_id == NULL);
    seen = (s_seen_t){0};
    CHECK_INT (tl_book_sweep (book, D ("2025-01-27"), s_on_change, &seen), 0);
    CHECK_INT (seen.changes, 0);
    //  The allocation follows the latest put of the child.
    deadline.id = 4;
    deadline.team_id = "T9";
    deadline.worker_id = "W9";
    tl_book_put (book, &deadline);
    CHECK (tl_book_get (book, 3, &got));
    CHECK_STR (got.team_id, "T9");
    CHECK_STR (got.worker_id, "W9");
    //  Replaced by id: the new due date decides.
    deadline.id = 1;
    deadline.due_on = D ("2025-02-27");
    deadline.alerts = SOON | TODAY;
    tl_book_put (book, &deadline);
    CHECK_INT (tl_book_count (book), 4);
    CHECK (tl_book_get (book, 1, &got));
    CHECK_DATE (got.due_on, "2025-02-27");
}

//  The container: ids put in a shuffled order, half removed, the rest all there.
static void s_test_many (tl_book_t *book)
{
    tl_book_clear (book);
    enum { N = 100000 };
    int64_t *ids = malloc (N * sizeof *ids);
    assert (ids);
    for (int i = 0; i < N; i++)
        ids[i] = (int64_t) i * 7 + 3;
    uint64_t random = 88172645463325252ULL;
    for (int i = N - 1; i > 0; i--) {
        random ^= random << 13, random ^= random >> 7, random ^= random << 17;
        int j = (int) (random % (uint64_t) (i + 1));
        int64_t swap = ids[i];
        ids[i] = ids[j];
        ids[j] = swap;
    }
    char child[32];
    for (int i = 0; i < N; i++) {
        snprintf (child, sizeof child, "C%d", i % 1000);
        tl_book_deadline_t deadline = {.id = ids[i],
                                       .la_code = "872",
                                       .child_id = child,
                                       .clock = (tl_clock_id_t) (i % TL_CLOCK_COUNT),
                                       .started_on = D ("2025-01-06"),
                                       .due_on = D ("2025-06-01") + i % 100,
                                       .planned_on = JY_DATE_INVALID,
                                       .state = TL_STATE_OPEN};
        tl_book_put (book, &deadline);
    }
    CHECK_INT (tl_book_count (book), N);
    for (int i = 0; i < N; i += 2)
        tl_book_remove (book, ids[i]);
    tl_book_remove (book, -5); //  never there
    CHECK_INT (tl_book_count (book), N / 2);
    int found = 0, wrong = 0;
    for (int i = 0; i < N; i++) {
        tl_book_deadline_t got;
        bool there = tl_book_get (book, ids[i], &got);
        if (there != (i % 2 == 1))
            wrong++;
        if (there) {
            found++;
            if (got.id != ids[i] || got.due_on != D ("2025-06-01") + i % 100 ||
                got.clock != (tl_clock_id_t) (i % TL_CLOCK_COUNT))
                wrong++;
        }
    }
    CHECK_INT (found, N / 2);
    CHECK_INT (wrong, 0);
    s_seen_t seen = {0};
    //  Every one is due by 9 September: all overdue by then.
    CHECK_INT (tl_book_sweep (book, D ("2025-09-30"), s_on_change, &seen), N / 2);
    tl_book_clear (book);
    CHECK_INT (tl_book_count (book), 0);
    tl_book_deadline_t got;
    CHECK (!tl_book_get (book, ids[1], &got));
    free (ids);
}

int main (void)
{
    s_calendar = jy_calendar_new ();
    tl_clocks_t *clocks = s_clocks_with_lead ("3");
    tl_book_t *book = tl_book_new (clocks, s_calendar, 5);
    CHECK_STR (tl_state_name (TL_STATE_MET_LATE), "met_late");
    CHECK_INT (tl_state_lookup ("missed"), TL_STATE_MISSED);
    CHECK_INT (tl_state_lookup ("lost"), TL_STATE_COUNT);
    s_test_chain (book);
    s_test_drift (book);
    s_test_no_lead ();
    s_test_sweep (book);
    s_test_many (book);
    tl_book_destroy (&book);
    CHECK (book == NULL);
    tl_clocks_destroy (&clocks);
    jy_calendar_destroy (&s_calendar);
    return jy_test_summary ("test_book");
}
