/* till-shift.h: shifts and cash accountability (交接班), X and Z reports
 *
 * A shift is one cashier's time at the till's drawer: it opens with a float
 * counted by denomination (or the float the previous cashier handed over),
 * takes cash in and out with reasons, and closes with a blind count whose
 * variance against the expected cash is accepted, above the store's
 * threshold, only by a supervisor with a reason. A business day is every
 * shift (and every act outside one) since the last Z report; the Z report
 * closes it with a Z number and a perpetual grand total that never reset.
 *
 * Totals are kept incrementally: every sale, return, void, drawer opening,
 * cash movement and stored-value top-up adds to its shift's and its day's
 * tallies (table shift_tally) in the transaction that records it, so an X
 * report, a close or a Z reads a few dozen rows whatever the day's volume.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(TILL_CORE_INSIDE) && !defined(TILL_CORE_COMPILATION)
#error "Only <till-core.h> can be included directly."
#endif

#include <glib-object.h>

#include "till-permission.h"
#include "till-types.h"

G_BEGIN_DECLS

#define TILL_SHIFT_ERROR (till_shift_error_quark ())

typedef enum
{
  TILL_SHIFT_ERROR_FAILED,
  TILL_SHIFT_ERROR_NOT_OPEN,     /* no shift is open on this till */
  TILL_SHIFT_ERROR_ALREADY_OPEN, /* a shift is open (or closing) already */
  TILL_SHIFT_ERROR_NOT_YOURS,    /* the open shift is another cashier's (needs MANAGE_SHIFTS) */
  TILL_SHIFT_ERROR_CLOSING,      /* the shift is being closed: no sales, no cash movements */
  TILL_SHIFT_ERROR_NOT_COUNTED,  /* finishing a close before the count */
  TILL_SHIFT_ERROR_COUNTED,      /* a second count: the blind count is taken once */
  TILL_SHIFT_ERROR_BAD_AMOUNT,   /* a negative or absurd count or movement */
  TILL_SHIFT_ERROR_REASON,       /* a movement or an accepted variance without a reason */
  TILL_SHIFT_ERROR_NO_HANDOVER,  /* accepting a float nobody handed over */
  TILL_SHIFT_ERROR_SHIFT_OPEN,   /* a Z report while a shift is still open */
  TILL_SHIFT_ERROR_SALE_OPEN,    /* closing while a sale with lines is on the till */
  TILL_SHIFT_ERROR_NOT_FOUND,    /* no such shift or Z report */
  TILL_SHIFT_ERROR_NOT_CLOSING,  /* a count before the close began */
} TillShiftError;

/* The cash a drawer holds, largest first: the notes of the fifth series and
 * the coins in circulation. The 1 yuan note and coin are counted apart, as
 * they sit in different slots of the drawer. */
typedef enum
{
  TILL_DENOMINATION_NOTE_100,
  TILL_DENOMINATION_NOTE_50,
  TILL_DENOMINATION_NOTE_20,
  TILL_DENOMINATION_NOTE_10,
  TILL_DENOMINATION_NOTE_5,
  TILL_DENOMINATION_NOTE_1,
  TILL_DENOMINATION_COIN_1,
  TILL_DENOMINATION_COIN_50_FEN,
  TILL_DENOMINATION_COIN_10_FEN,
} TillDenomination;

#define TILL_N_DENOMINATIONS (TILL_DENOMINATION_COIN_10_FEN + 1)

/* A count of the drawer: how many pieces of each denomination. */
typedef struct
{
  gint64 pieces[TILL_N_DENOMINATIONS];
} TillCashCount;

gint64      till_denomination_get_value (TillDenomination denomination); /* fen */
const char *till_denomination_to_string (TillDenomination denomination); /* "note-100" */
const char *till_denomination_get_label (TillDenomination denomination); /* translated: "100元" */
/* Σ pieces × value, fen; -1 when a count is negative or the sum is absurd
 * (more than ¥10,000,000). */
gint64 till_cash_count_get_total (const TillCashCount *count);

typedef enum
{
  TILL_SHIFT_STATE_OPEN,
  TILL_SHIFT_STATE_CLOSING, /* the close began: selling stops until it ends */
  TILL_SHIFT_STATE_CLOSED,
} TillShiftState;

typedef enum
{
  TILL_CASH_MOVEMENT_IN,   /* "in": change brought to the drawer */
  TILL_CASH_MOVEMENT_OUT,  /* "out": a payout (paid to a supplier, petty cash) */
  TILL_CASH_MOVEMENT_DROP, /* "drop": taken to the safe during the shift */
} TillCashMovementKind;

const char *till_cash_movement_kind_to_string (TillCashMovementKind kind);
const char *till_cash_movement_kind_get_label (TillCashMovementKind kind); /* translated */

/* One row of a report: how many and how much (fen). */
typedef struct
{
  gint64 count;
  gint64 amount;
} TillTally;

/* A tender's share of a shift or day: taken in sales, given back in refunds
 * and taken in stored-value top-ups, by method ("cash", "card", "wechat"…). */
typedef struct
{
  char     *method;
  TillTally taken;
  TillTally refunded;
  TillTally top_ups;
} TillTenderTally;

/* What a shift or a business day did. All amounts in fen. */
typedef struct
{
  TillTally sales;      /* completed sales; amount: Σ total paid */
  TillTally gross;      /* count: lines; amount: Σ unit price × quantity, before discounts */
  TillTally discounts;  /* manual line and sale discounts: count of sales with one */
  TillTally promotions; /* promotion discounts: count of sales with one */
  TillTally rounding; /* 抹零: count of sales rounded; amount Σ rounding (negative when dropped) */
  TillTally  returns;      /* completed returns; amount: Σ refunded */
  TillTally  voided_lines; /* lines voided; amount: their amounts */
  TillTally  voided_sales; /* sales voided before payment; amount: their totals */
  TillTally  no_sales;     /* drawer opened without a sale */
  TillTally  drawer_opens; /* every opening of the drawer, for any reason */
  TillTally  cash_in;
  TillTally  cash_out;
  TillTally  cash_drops;
  TillTally  top_ups; /* stored-value top-ups, any method; amount: money taken (no bonus) */
  GPtrArray *tenders; /* TillTenderTally, by method name; never NULL */
} TillShiftTotals;

void till_shift_totals_clear (TillShiftTotals *totals);
/* The tally of @method, NULL when it had none. */
const TillTenderTally *till_shift_totals_get_tender (const TillShiftTotals *totals,
                                                     const char            *method);
/* The cash the drawer should hold: @opening_float + cash taken − cash
 * refunded + cash top-ups + cash in − cash out − drops. */
gint64 till_shift_totals_get_expected_cash (const TillShiftTotals *totals, gint64 opening_float);

#define TILL_TYPE_SHIFT (till_shift_get_type ())
G_DECLARE_FINAL_TYPE (TillShift, till_shift, TILL, SHIFT, GObject)

GQuark till_shift_error_quark (void);

const char    *till_shift_get_uuid (TillShift *self);
const char    *till_shift_get_day_uuid (TillShift *self);
const char    *till_shift_get_user_code (TillShift *self);
const char    *till_shift_get_user_name (TillShift *self);
TillShiftState till_shift_get_state (TillShift *self);
gint64         till_shift_get_opened_us (TillShift *self);
gint64         till_shift_get_closed_us (TillShift *self); /* 0 while open */
gint64         till_shift_get_opening_float (TillShift *self);
/* The opening count; all zero when the float was accepted from a handover. */
const TillCashCount *till_shift_get_float_count (TillShift *self);
/* The shift whose handed-over float this one accepted, or NULL. */
const char *till_shift_get_handover_from (TillShift *self);
/* After the blind count: what was counted, and what was expected then. -1
 * before the count. The expected cash is never shown before the count. */
gint64               till_shift_get_counted (TillShift *self);
const TillCashCount *till_shift_get_close_count (TillShift *self);
gint64               till_shift_get_expected (TillShift *self);
gint64               till_shift_get_variance (TillShift *self); /* counted − expected */
gboolean             till_shift_get_handover (TillShift *self); /* closed by a handover */

/* The shift open (or closing) on this till, or NULL (no error) when none. */
TillShift *till_shift_get_current (TillStore *store, GError **error);
TillShift *till_shift_load (TillStore *store, const char *uuid, GError **error);
/* Shifts opened since @since_us (0: all), newest first. */
GPtrArray *till_shift_list (TillStore *store, gint64 since_us, GError **error);

/* Whether the last shift was closed by a handover that no shift has accepted
 * yet: its counted cash (fen) and its cashier's name. */
gboolean till_shift_get_pending_handover (TillStore *store,
                                          gint64    *out_amount,
                                          char     **out_user_name,
                                          GError   **error);

/* Opens @user's shift with the float in @float_count (the drawer counted by
 * denomination). A "shift-open" journal entry; the business day starts with
 * its first shift. Refused when a shift is open (TILL_SHIFT_ERROR_ALREADY_OPEN)
 * or the count is bad. A pending handover is then closed as counted afresh
 * (its difference to the new count shows on the new shift's report). Must
 * not be called inside a transaction. */
TillShift *till_shift_open (TillStore           *store,
                            TillJournal         *journal,
                            TillUser            *user,
                            const TillCashCount *float_count,
                            GError             **error);
/* Opens @user's shift accepting the float the last cashier handed over, as
 * counted by them (TILL_SHIFT_ERROR_NO_HANDOVER when none is pending). */
TillShift *till_shift_open_accepting_handover (TillStore   *store,
                                               TillJournal *journal,
                                               TillUser    *user,
                                               GError     **error);

/* Cash in, payout or drop in the open shift, @amount fen > 0 with a reason:
 * in and out need TILL_PERMISSION_CASH_MOVEMENT (or @override); a drop needs
 * none. Writes cash_movement, a "cash-movement" journal entry, a drawer
 * opening, the tallies and a "cash-movement" outbox document, in one
 * transaction. Returns the movement's uuid, NULL with @error set. */
char *till_shift_move_cash (TillStore           *store,
                            TillJournal         *journal,
                            TillUser            *user,
                            TillCashMovementKind kind,
                            gint64               amount,
                            const char          *reason,
                            const TillOverride  *override,
                            GError             **error) G_GNUC_WARN_UNUSED_RESULT;

/* The close, in steps that each commit, so a till killed in the middle
 * resumes where it stopped (till_shift_get_current() returns the closing
 * shift with its count):
 *  1. till_shift_begin_close(): the shift stops selling ("shift-close-begin").
 *     Anyone may close their own shift; another cashier's needs
 *     TILL_PERMISSION_MANAGE_SHIFTS (or @override), else
 *     TILL_SHIFT_ERROR_NOT_YOURS. Refused (TILL_SHIFT_ERROR_SALE_OPEN) while
 *     a sale with lines is on the till. On a shift already closing it does
 *     nothing and succeeds, so a restarted till may call it again. Once the
 *     close began, whoever continues it may count and finish; voids (to
 *     clear the till) and the count's drawer opening are still recorded,
 *     every other act is refused with TILL_SHIFT_ERROR_CLOSING.
 *  2. till_shift_record_count(): the blind count, taken once ("shift-count");
 *     the shift now knows its expected cash and variance
 *     (TILL_SHIFT_ERROR_NOT_CLOSING before step 1).
 *  3. till_shift_finish_close(): when |variance| is above the store's
 *     threshold (setting shift.variance-threshold, fen, default 500),
 *     TILL_PERMISSION_ACCEPT_VARIANCE (or @override) and a @reason are
 *     required. The shift closes ("shift-close" journal entry with the
 *     totals, a "shift" outbox document); with @handover its counted cash
 *     waits as the next cashier's float. */
gboolean till_shift_begin_close (TillStore          *store,
                                 TillJournal        *journal,
                                 TillUser           *user,
                                 const TillOverride *override,
                                 GError            **error);
gboolean till_shift_record_count (TillStore           *store,
                                  TillJournal         *journal,
                                  TillUser            *user,
                                  const TillCashCount *count,
                                  GError             **error);
/* Whether the recorded count's variance needs a supervisor. */
gboolean till_shift_variance_needs_approval (TillStore *store, TillShift *shift);
gboolean till_shift_finish_close (TillStore          *store,
                                  TillJournal        *journal,
                                  TillUser           *user,
                                  gboolean            handover,
                                  const char         *reason,
                                  const TillOverride *override,
                                  GError            **error);

typedef enum
{
  TILL_SHIFT_REPORT_X,     /* the open shift so far (X 报表) */
  TILL_SHIFT_REPORT_CLOSE, /* a closed shift (交班/结班报表) */
  TILL_SHIFT_REPORT_Z,     /* a business day (Z 报表, 日结) */
} TillShiftReportKind;

/* One shift in a Z report. */
typedef struct
{
  char  *uuid;
  char  *user_code;
  char  *user_name;
  gint64 opened_us;
  gint64 closed_us;
  gint64 sales_total; /* Σ total of its sales */
  gint64 expected;
  gint64 counted;
  gint64 variance;
} TillShiftSummary;

/* A report as printed and shown; rebuilt from the tallies, so a reprint
 * prints the same. */
typedef struct
{
  TillShiftReportKind kind;
  char               *till_id;
  gint64              created_us; /* when the report was taken */
  /* X and close: the shift */
  char  *shift_uuid;
  char  *user_code;
  char  *user_name;
  gint64 opened_us;
  gint64 closed_us; /* close and Z; 0 for X */
  gint64 opening_float;
  gint64 handed_over; /* the float as handed over to this shift; -1 when counted afresh */
  /* close only; -1 for X */
  gint64        counted;
  TillCashCount count;
  gint64        expected;
  gint64        variance;
  gboolean      handover;
  char         *variance_reason; /* nullable */
  char         *approved_by;     /* nullable: the supervisor who accepted the variance */
  /* Z only */
  gint64          z_no;
  char           *day_uuid;
  GPtrArray      *shifts;      /* TillShiftSummary; never NULL (empty but for Z) */
  gint64          grand_total; /* perpetual Σ net (sales − refunds) up to and including this Z */
  gint64          grand_sales; /* perpetual Σ sales */
  gint64          grand_returns; /* perpetual Σ refunds */
  TillTally       outside_sales; /* Z: the sales made with no shift open (in the totals too) */
  TillShiftTotals totals;
} TillShiftReport;

/* An empty report of @kind: lists made, handed_over and counted at -1. */
TillShiftReport *till_shift_report_new (TillShiftReportKind kind) G_GNUC_WARN_UNUSED_RESULT;
void             till_shift_report_free (TillShiftReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillShiftReport, till_shift_report_free)

/* The X report of the open shift (any cashier may read their own; another's
 * needs MANAGE_SHIFTS or @override). Journaled as "x-report". Refused while
 * the shift is closing (TILL_SHIFT_ERROR_CLOSING): it would show the expected
 * cash before the blind count. */
TillShiftReport *till_shift_x_report (TillStore          *store,
                                      TillJournal        *journal,
                                      TillUser           *user,
                                      const TillOverride *override,
                                      GError            **error) G_GNUC_WARN_UNUSED_RESULT;
/* The close report of a closed (or, while closing, counted) shift: for
 * printing after till_shift_finish_close() and for reprints. */
TillShiftReport *till_shift_close_report (TillStore  *store,
                                          const char *shift_uuid,
                                          GError    **error) G_GNUC_WARN_UNUSED_RESULT;

/* The Z report (日结): needs TILL_PERMISSION_Z_REPORT (or @override) and no
 * open shift (TILL_SHIFT_ERROR_SHIFT_OPEN). In one transaction: the next Z
 * number (never reset), the grand totals carried on, the business day
 * closed, a pending handover float dropped, a "z-report" journal entry and a
 * "z-report" outbox document. A day with nothing in it still gets its Z. */
TillShiftReport *till_shift_z_report (TillStore          *store,
                                      TillJournal        *journal,
                                      TillUser           *user,
                                      const TillOverride *override,
                                      GError            **error) G_GNUC_WARN_UNUSED_RESULT;
/* A recorded Z report again, by number, for a reprint. */
TillShiftReport *
till_shift_load_z_report (TillStore *store, gint64 z_no, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* The number of the last Z report, 0 before the first. */
gint64 till_shift_get_last_z_no (TillStore *store, GError **error);

/* For the modules that record what a shift counts (sale, return, cart,
 * drawer, stored value): inside the caller's transaction, the open shift's
 * uuid (NULL when none) and the business day's (created when none is open),
 * for the raw rows to name. TILL_SHIFT_ERROR_CLOSING while the shift is
 * being closed: the act is refused. Strings are newly allocated. */
gboolean
_till_shift_attach (TillStore *store, char **out_shift_uuid, char **out_day_uuid, GError **error);
/* As _till_shift_attach(), but a closing shift is attached as well: for the
 * acts that belong to the close (the count's drawer opening) or that only
 * clear the till for it (voids). */
gboolean _till_shift_attach_while_closing (TillStore *store,
                                           char     **out_shift_uuid,
                                           char     **out_day_uuid,
                                           GError   **error);
/* Adds @count and @amount to @metric in the tallies of @shift_uuid (when not
 * NULL) and @day_uuid, inside the caller's transaction. Metrics: "sale",
 * "gross", "discount", "promotion", "rounding", "return", "void-line",
 * "void-sale", "no-sale", "drawer-open", "cash-in", "cash-out", "cash-drop",
 * "top-up", "tender:METHOD", "refund:METHOD", "top-up:METHOD". */
gboolean _till_shift_tally (TillStore  *store,
                            const char *shift_uuid,
                            const char *day_uuid,
                            const char *metric,
                            gint64      count,
                            gint64      amount,
                            GError    **error);

G_END_DECLS
