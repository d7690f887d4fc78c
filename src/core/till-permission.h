/* till-permission.h: what a role may do, per-user limits, and supervisor overrides
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(TILL_CORE_INSIDE) && !defined(TILL_CORE_COMPILATION)
#error "Only <till-core.h> can be included directly."
#endif

#include <glib.h>

#include "till-types.h"
#include "till-user.h"

G_BEGIN_DECLS

#define TILL_PERMISSION_ERROR (till_permission_error_quark ())

typedef enum
{
  TILL_PERMISSION_ERROR_FAILED,
  /* The user may not do this: ask a supervisor for an override. The message
   * names the act. */
  TILL_PERMISSION_ERROR_DENIED,
  /* Allowed, but beyond the user's limit (discount %, price override, refund
   * amount): an override is needed. */
  TILL_PERMISSION_ERROR_LIMIT,
  /* The supervisor given for an override may not approve this either, or their
   * PIN/badge is wrong, or no reason was given. */
  TILL_PERMISSION_ERROR_OVERRIDE,
} TillPermissionError;

/* Every sensitive act a cashier can attempt. Stored by name (see
 * till_permission_to_string) in the role_permission table, so never renumber:
 * append. */
typedef enum
{
  TILL_PERMISSION_VOID_LINE,
  TILL_PERMISSION_VOID_SALE,
  TILL_PERMISSION_NO_SALE, /* open the drawer without a sale */
  TILL_PERMISSION_PRICE_OVERRIDE,
  TILL_PERMISSION_LINE_DISCOUNT,
  TILL_PERMISSION_SALE_DISCOUNT,
  TILL_PERMISSION_QUANTITY_CHANGE,
  TILL_PERMISSION_SUSPEND_SALE,
  TILL_PERMISSION_REPRINT,
  TILL_PERMISSION_RETURN_WITH_RECEIPT,
  TILL_PERMISSION_RETURN_WITHOUT_RECEIPT,
  TILL_PERMISSION_MANAGE_USERS, /* create users, set roles and permissions, unlock */
  TILL_PERMISSION_DEVICE_SETTINGS,
  TILL_PERMISSION_MANAGE_PROMOTIONS, /* create, edit and delete the till's own promotions */
  TILL_PERMISSION_VIEW_MEMBER_DATA,  /* see a member's full phone, name and birthday; export or
                                        erase a member's data; export marketing lists (PIPL) */
  TILL_PERMISSION_TOP_UP,            /* take money onto a stored-value card (储值充值) */
  TILL_PERMISSION_CASH_MOVEMENT,     /* cash in and payouts from the drawer (drops need none) */
  TILL_PERMISSION_ACCEPT_VARIANCE,   /* close a shift whose count is off beyond the threshold */
  TILL_PERMISSION_MANAGE_SHIFTS,     /* read or close another cashier's shift */
  TILL_PERMISSION_Z_REPORT,          /* end the business day with a Z report (日结) */
  TILL_PERMISSION_MANAGE_PRODUCTS,   /* create, edit, import and deactivate products */
  TILL_PERMISSION_MANAGE_STOCK,      /* receive goods, transfer, adjust and write off stock */
  TILL_PERMISSION_STOCKTAKE,         /* post a stocktake's variances as adjustments */
  TILL_PERMISSION_VIEW_REPORTS,      /* read and export sales, stock and finance reports */
} TillPermission;

#define TILL_N_PERMISSIONS (TILL_PERMISSION_VIEW_REPORTS + 1)

/* A supervisor's approval of one act, given on the spot. Strings are borrowed. */
typedef struct
{
  const char *supervisor_code;   /* the approving user's code (from the badge or keyed) */
  const char *supervisor_secret; /* their PIN, or the badge code when badge is TRUE */
  gboolean    badge;
  const char *reason; /* a reason code, e.g. "customer-changed-mind"; required */
} TillOverride;

/* Per-user limits; 0 means "none allowed without an override" and -1 "no limit". */
typedef struct
{
  int    max_line_discount_bp; /* basis points: 1000 = 10 % */
  gint64 max_price_override;   /* fen: the largest |new - old| price change */
  gint64 max_refund;           /* fen: the largest refund without approval */
} TillUserLimits;

GQuark      till_permission_error_quark (void);
const char *till_permission_to_string (TillPermission permission);
gboolean    till_permission_from_string (const char *text, TillPermission *out_permission);
/* A short, translated label for the screen ("Void a line"). */
const char *till_permission_get_label (TillPermission permission);

/* Whether @role has @permission in this store (defaults per role, editable by a
 * manager). */
gboolean till_permission_role_has (TillStore *store, TillRole role, TillPermission permission);
/* The built-in default, before any manager's edit. */
gboolean till_permission_role_default (TillRole role, TillPermission permission);
/* Changes what @role may do, journaled as a "user-change" (action
 * "role-permission") naming @actor_code, in the caller's transaction or its own.
 * The admin role always has everything and cannot be edited. Taking
 * MANAGE_USERS away so that no active user keeps it is refused with
 * TILL_USER_ERROR_LAST_MANAGER. The caller must
 * have checked that the actor has TILL_PERMISSION_MANAGE_USERS. */
gboolean till_permission_role_set (TillStore     *store,
                                   TillJournal   *journal,
                                   const char    *actor_code,
                                   TillRole       role,
                                   TillPermission permission,
                                   gboolean       allowed,
                                   GError       **error);

/* A role's default limits: cashier none, supervisor 20 %, ¥50 price change and
 * ¥500 refund, manager and admin no limit. */
void till_user_limits_for_role (TillRole role, TillUserLimits *out_limits);
/* The user's stored limits, or their role's defaults where none are stored. */
gboolean
till_user_get_limits (TillStore *store, TillUser *user, TillUserLimits *out_limits, GError **error);
/* Journaled like till_permission_role_set(), same MANAGE_USERS rule; @limits
 * NULL goes back to the role's defaults. */
gboolean till_user_set_limits (TillStore            *store,
                               TillJournal          *journal,
                               const char           *actor_code,
                               TillUser             *user,
                               const TillUserLimits *limits,
                               GError              **error);

/* The one check every sensitive core call makes. Allowed when @user's role has
 * @permission (and, for the limited acts, @amount is within the user's limit:
 * basis points for discounts, fen for price changes and refunds; pass 0
 * otherwise), or when @override names a supervisor whose own role and limits
 * allow it, with a valid PIN/badge and a reason. Must run inside the caller's
 * store transaction: an override, when used, is written to the journal (kind
 * "override": who, what, why, for whom) in that transaction, and a wrong
 * supervisor PIN counts towards that supervisor's lockout.
 * The user's role and limits are read from the store, not the sign-in snapshot,
 * so a change by a manager applies at once; a user deactivated since sign-in is
 * refused. @amount is taken as its absolute value. @journal may be NULL only
 * when no override is given.
 * On refusal: FALSE with TILL_PERMISSION_ERROR_DENIED / _LIMIT / _OVERRIDE;
 * outside a transaction: FALSE with TILL_PERMISSION_ERROR_FAILED. */
gboolean till_permission_check (TillStore          *store,
                                TillJournal        *journal,
                                TillUser           *user,
                                TillPermission      permission,
                                gint64              amount,
                                const TillOverride *override,
                                GError            **error);

/* Whether @error is a refusal a supervisor's override can lift (the role may
 * not, or the amount is beyond the user's limit): the screens then ask for one. */
gboolean till_permission_error_needs_override (const GError *error);

/* till_permission_check() for @user alone first, so that @override is used
 * (and journaled) only when @user may not act alone. *@out_approved_by is the
 * supervisor's code when the override was used, NULL when @user could. A
 * refusal other than TILL_PERMISSION_ERROR_DENIED (a limit) is not retried. */
gboolean till_permission_check_user_first (TillStore          *store,
                                           TillJournal        *journal,
                                           TillUser           *user,
                                           TillPermission      permission,
                                           const TillOverride *override,
                                           const char        **out_approved_by,
                                           GError            **error);

/* The check for an act that records nothing else (a reprint, opening a
 * screen): till_permission_check() in a transaction of its own, committed
 * when allowed (with the override's journal entry), rolled back when
 * refused. Must not be called inside a transaction. */
gboolean till_permission_approve (TillStore          *store,
                                  TillJournal        *journal,
                                  TillUser           *user,
                                  TillPermission      permission,
                                  gint64              amount,
                                  const TillOverride *override,
                                  GError            **error);

G_END_DECLS
