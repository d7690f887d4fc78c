/* till-drawer.h: the cash drawer's log: every opening, why and by whom
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

#define TILL_DRAWER_ERROR (till_drawer_error_quark ())

typedef enum
{
  TILL_DRAWER_ERROR_FAILED,
  TILL_DRAWER_ERROR_REASON, /* a no-sale opening without a reason */
} TillDrawerError;

typedef enum
{
  TILL_DRAWER_REASON_SALE,    /* "sale": change for a cash sale */
  TILL_DRAWER_REASON_NO_SALE, /* "no-sale": opened without a sale */
  TILL_DRAWER_REASON_TEST,    /* "test": hardware diagnostics */
  TILL_DRAWER_REASON_REFUND,  /* "refund": cash paid out for a return */
  TILL_DRAWER_REASON_CASH,    /* "cash": a cash movement (in, payout, drop; till-shift.h) */
  TILL_DRAWER_REASON_COUNT,   /* "count": a shift's opening float or closing count */
} TillDrawerReason;

typedef struct
{
  gint64           id;
  gint64           created_us; /* wall clock, µs since the epoch */
  TillDrawerReason reason;
  char            *ref_uuid;  /* nullable: the sale it opened for */
  char            *user_code; /* nullable: who opened it */
} TillDrawerEvent;

GQuark till_drawer_error_quark (void);
void   till_drawer_event_free (TillDrawerEvent *event);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillDrawerEvent, till_drawer_event_free)

const char *till_drawer_reason_to_string (TillDrawerReason reason);

/* Records that the drawer opens now. Runs in the caller's transaction when one
 * is open (the till records a sale's opening together with the print job that
 * sends the pulse), else in its own. Opening without a sale needs a permission
 * check in the caller (a later issue). The opening names the open shift and
 * the business day and counts in their tallies ("drawer-open", and "no-sale"
 * for a no-sale); while the shift is being closed only a "count" opening is
 * allowed (TILL_SHIFT_ERROR_CLOSING otherwise).
 * Returns: the event id, or 0 with @error set. */
gint64 till_drawer_record_open (TillStore       *store,
                                TillDrawerReason reason,
                                const char      *ref_uuid,
                                const char      *user_code,
                                GError         **error);

/* A no-sale opening (TILL_PERMISSION_NO_SALE, or @override): the check, a
 * "no-sale" journal entry naming the user and @reason (required) and the
 * drawer_event, in one transaction of its own. The caller then sends the
 * pulse. Returns the event id, or 0 with @error set (a refusal is a
 * TILL_PERMISSION_ERROR). */
gint64 till_drawer_open_no_sale (TillStore          *store,
                                 TillJournal        *journal,
                                 TillUser           *user,
                                 const char         *reason,
                                 const TillOverride *override,
                                 GError            **error);

/* Openings since @since_us (0: all), oldest first: TillDrawerEvent elements. */
GPtrArray *till_drawer_list_events (TillStore *store, gint64 since_us, GError **error);

G_END_DECLS
