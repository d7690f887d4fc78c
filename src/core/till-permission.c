/* till-permission.c: what a role may do, per-user limits, and supervisor overrides
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-permission"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "till-journal.h"
#include "till-permission.h"
#include "till-store.h"
#include "till-user.h"

G_DEFINE_QUARK (till_permission_error_quark, till_permission_error)

/* Stored in role_permission and written in journal entries: never rename. */
static const char *const permission_names[TILL_N_PERMISSIONS] = {
  [TILL_PERMISSION_VOID_LINE] = "void-line",
  [TILL_PERMISSION_VOID_SALE] = "void-sale",
  [TILL_PERMISSION_NO_SALE] = "no-sale",
  [TILL_PERMISSION_PRICE_OVERRIDE] = "price-override",
  [TILL_PERMISSION_LINE_DISCOUNT] = "line-discount",
  [TILL_PERMISSION_SALE_DISCOUNT] = "sale-discount",
  [TILL_PERMISSION_QUANTITY_CHANGE] = "quantity-change",
  [TILL_PERMISSION_SUSPEND_SALE] = "suspend-sale",
  [TILL_PERMISSION_REPRINT] = "reprint",
  [TILL_PERMISSION_RETURN_WITH_RECEIPT] = "return-with-receipt",
  [TILL_PERMISSION_RETURN_WITHOUT_RECEIPT] = "return-without-receipt",
  [TILL_PERMISSION_MANAGE_USERS] = "manage-users",
  [TILL_PERMISSION_DEVICE_SETTINGS] = "device-settings",
  [TILL_PERMISSION_MANAGE_PROMOTIONS] = "manage-promotions",
  [TILL_PERMISSION_VIEW_MEMBER_DATA] = "view-member-data",
  [TILL_PERMISSION_TOP_UP] = "top-up",
  [TILL_PERMISSION_CASH_MOVEMENT] = "cash-movement",
  [TILL_PERMISSION_ACCEPT_VARIANCE] = "accept-variance",
  [TILL_PERMISSION_MANAGE_SHIFTS] = "manage-shifts",
  [TILL_PERMISSION_Z_REPORT] = "z-report",
  [TILL_PERMISSION_MANAGE_PRODUCTS] = "manage-products",
  [TILL_PERMISSION_MANAGE_STOCK] = "manage-stock",
  [TILL_PERMISSION_STOCKTAKE] = "stocktake",
  [TILL_PERMISSION_VIEW_REPORTS] = "view-reports",
};

/* The defaults (issue 5): the lowest role that has each permission; every
 * higher role has it too. role_permission rows are a manager's edits of this. */
static const TillRole default_lowest_role[TILL_N_PERMISSIONS] = {
  [TILL_PERMISSION_VOID_LINE] = TILL_ROLE_SUPERVISOR,
  [TILL_PERMISSION_VOID_SALE] = TILL_ROLE_SUPERVISOR,
  [TILL_PERMISSION_NO_SALE] = TILL_ROLE_SUPERVISOR,
  [TILL_PERMISSION_PRICE_OVERRIDE] = TILL_ROLE_SUPERVISOR,
  [TILL_PERMISSION_LINE_DISCOUNT] = TILL_ROLE_SUPERVISOR,
  [TILL_PERMISSION_SALE_DISCOUNT] = TILL_ROLE_SUPERVISOR,
  [TILL_PERMISSION_QUANTITY_CHANGE] = TILL_ROLE_CASHIER,
  [TILL_PERMISSION_SUSPEND_SALE] = TILL_ROLE_CASHIER,
  [TILL_PERMISSION_REPRINT] = TILL_ROLE_CASHIER,
  [TILL_PERMISSION_RETURN_WITH_RECEIPT] = TILL_ROLE_CASHIER,
  [TILL_PERMISSION_RETURN_WITHOUT_RECEIPT] = TILL_ROLE_SUPERVISOR,
  [TILL_PERMISSION_MANAGE_USERS] = TILL_ROLE_MANAGER,
  [TILL_PERMISSION_DEVICE_SETTINGS] = TILL_ROLE_MANAGER,
  [TILL_PERMISSION_MANAGE_PROMOTIONS] = TILL_ROLE_MANAGER,
  [TILL_PERMISSION_VIEW_MEMBER_DATA] = TILL_ROLE_MANAGER,
  [TILL_PERMISSION_TOP_UP] = TILL_ROLE_CASHIER,
  [TILL_PERMISSION_CASH_MOVEMENT] = TILL_ROLE_SUPERVISOR,
  [TILL_PERMISSION_ACCEPT_VARIANCE] = TILL_ROLE_SUPERVISOR,
  [TILL_PERMISSION_MANAGE_SHIFTS] = TILL_ROLE_SUPERVISOR,
  [TILL_PERMISSION_Z_REPORT] = TILL_ROLE_SUPERVISOR,
  [TILL_PERMISSION_MANAGE_PRODUCTS] = TILL_ROLE_MANAGER,
  [TILL_PERMISSION_MANAGE_STOCK] = TILL_ROLE_SUPERVISOR,
  [TILL_PERMISSION_STOCKTAKE] = TILL_ROLE_SUPERVISOR,
  [TILL_PERMISSION_VIEW_REPORTS] = TILL_ROLE_SUPERVISOR,
};

typedef enum
{
  LIMIT_NONE,
  LIMIT_DISCOUNT_BP,
  LIMIT_PRICE_OVERRIDE,
  LIMIT_REFUND,
} LimitKind;

static LimitKind
limit_kind_of (TillPermission permission)
{
  switch (permission)
    {
    case TILL_PERMISSION_LINE_DISCOUNT:
    case TILL_PERMISSION_SALE_DISCOUNT:
      return LIMIT_DISCOUNT_BP;
    case TILL_PERMISSION_PRICE_OVERRIDE:
      return LIMIT_PRICE_OVERRIDE;
    case TILL_PERMISSION_RETURN_WITH_RECEIPT:
    case TILL_PERMISSION_RETURN_WITHOUT_RECEIPT:
      return LIMIT_REFUND;
    default:
      return LIMIT_NONE;
    }
}

/* Whether @amount (already absolute) is within @limits for @permission. */
static gboolean
within_limit (const TillUserLimits *limits, TillPermission permission, gint64 amount)
{
  gint64 limit;

  switch (limit_kind_of (permission))
    {
    case LIMIT_DISCOUNT_BP:
      limit = limits->max_line_discount_bp;
      break;
    case LIMIT_PRICE_OVERRIDE:
      limit = limits->max_price_override;
      break;
    case LIMIT_REFUND:
      limit = limits->max_refund;
      break;
    case LIMIT_NONE:
    default:
      return TRUE;
    }
  return limit < 0 || amount <= limit;
}

static gboolean
is_blank (const char *text)
{
  for (const char *p = text != NULL ? text : ""; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;
  return TRUE;
}

static char *
format_amount (TillPermission permission, gint64 amount)
{
  if (limit_kind_of (permission) == LIMIT_DISCOUNT_BP)
    return g_strdup_printf ("%" G_GINT64_FORMAT ".%02d %%", amount / 100, (int) (amount % 100));
  return g_strdup_printf ("¥%" G_GINT64_FORMAT ".%02d", amount / 100, (int) (amount % 100));
}

/* Reads the stored role and limits of an active user. */
static gboolean
load_rights (TillStore      *store,
             gint64          user_id,
             TillRole       *out_role,
             TillUserLimits *out_limits,
             GError        **error)
{
  g_autoptr (TillStmt) stmt = till_store_prepare (
      store,
      "SELECT role, max_line_discount_bp, max_price_override, max_refund FROM user "
      "WHERE id = ? AND active",
      error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, user_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED,
                   _ ("This user is no longer active"));
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot read the users"));
      return FALSE;
    }
  /* A role this version does not know gets no more than a cashier's rights. */
  if (!till_role_from_string ((const char *) sqlite3_column_text (stmt, 0), out_role))
    *out_role = TILL_ROLE_CASHIER;
  till_user_limits_for_role (*out_role, out_limits);
  if (sqlite3_column_type (stmt, 1) != SQLITE_NULL)
    out_limits->max_line_discount_bp = sqlite3_column_int (stmt, 1);
  if (sqlite3_column_type (stmt, 2) != SQLITE_NULL)
    out_limits->max_price_override = sqlite3_column_int64 (stmt, 2);
  if (sqlite3_column_type (stmt, 3) != SQLITE_NULL)
    out_limits->max_refund = sqlite3_column_int64 (stmt, 3);
  return TRUE;
}

/* Whether @user_id may do @permission for @amount by themselves; FALSE with
 * DENIED or LIMIT otherwise. */
static gboolean
user_may (
    TillStore *store, gint64 user_id, TillPermission permission, gint64 amount, GError **error)
{
  TillUserLimits limits;
  TillRole       role;

  if (!load_rights (store, user_id, &role, &limits, error))
    return FALSE;
  if (!till_permission_role_has (store, role, permission))
    {
      g_set_error (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED,
                   _ ("“%s” is not allowed for a %s: a supervisor must approve it"),
                   till_permission_get_label (permission), till_role_get_label (role));
      return FALSE;
    }
  if (!within_limit (&limits, permission, amount))
    {
      g_autofree char *text = format_amount (permission, amount);

      g_set_error (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_LIMIT,
                   _ ("“%s” for %s is above the limit: a supervisor must approve it"),
                   till_permission_get_label (permission), text);
      return FALSE;
    }
  return TRUE;
}

static gboolean
journal_override (TillStore          *store,
                  TillJournal        *journal,
                  TillUser           *user,
                  TillUser           *supervisor,
                  TillPermission      permission,
                  gint64              amount,
                  const TillOverride *override,
                  GError            **error)
{
  g_autoptr (GString) body = g_string_new ("{");
  g_autoptr (GBytes) bytes = NULL;

  _till_json_append_key_string (body, "permission", permission_names[permission]);
  g_string_append_c (body, ',');
  _till_json_append_key_int (body, "amount", amount);
  g_string_append_c (body, ',');
  _till_json_append_key_string (body, "user_code", till_user_get_code (user));
  g_string_append_c (body, ',');
  _till_json_append_key_string (body, "supervisor_code", till_user_get_code (supervisor));
  g_string_append_c (body, ',');
  _till_json_append_key_string (body, "reason", override->reason);
  g_string_append_c (body, ',');
  _till_json_append_key_string (body, "method", override->badge ? "badge" : "pin");
  g_string_append_c (body, '}');

  bytes = g_bytes_new (body->str, body->len);
  return till_journal_append (journal, "override", NULL, till_user_now (store), bytes, NULL, NULL,
                              error);
}

const char *
till_permission_to_string (TillPermission permission)
{
  g_return_val_if_fail ((guint) permission < TILL_N_PERMISSIONS, NULL);
  return permission_names[permission];
}

gboolean
till_permission_from_string (const char *text, TillPermission *out_permission)
{
  g_return_val_if_fail (out_permission != NULL, FALSE);

  for (guint i = 0; i < TILL_N_PERMISSIONS; i++)
    {
      if (g_strcmp0 (text, permission_names[i]) == 0)
        {
          *out_permission = (TillPermission) i;
          return TRUE;
        }
    }
  return FALSE;
}

const char *
till_permission_get_label (TillPermission permission)
{
  switch (permission)
    {
    case TILL_PERMISSION_VOID_LINE:
      return _ ("Void a line");
    case TILL_PERMISSION_VOID_SALE:
      return _ ("Void a sale");
    case TILL_PERMISSION_NO_SALE:
      return _ ("Open the drawer without a sale");
    case TILL_PERMISSION_PRICE_OVERRIDE:
      return _ ("Change a price");
    case TILL_PERMISSION_LINE_DISCOUNT:
      return _ ("Discount a line");
    case TILL_PERMISSION_SALE_DISCOUNT:
      return _ ("Discount the sale");
    case TILL_PERMISSION_QUANTITY_CHANGE:
      return _ ("Change a quantity");
    case TILL_PERMISSION_SUSPEND_SALE:
      return _ ("Hold a sale");
    case TILL_PERMISSION_REPRINT:
      return _ ("Reprint a receipt");
    case TILL_PERMISSION_RETURN_WITH_RECEIPT:
      return _ ("Return with the receipt");
    case TILL_PERMISSION_RETURN_WITHOUT_RECEIPT:
      return _ ("Return without a receipt");
    case TILL_PERMISSION_MANAGE_USERS:
      return _ ("Manage users");
    case TILL_PERMISSION_DEVICE_SETTINGS:
      return _ ("Change device settings");
    case TILL_PERMISSION_MANAGE_PROMOTIONS:
      return _ ("Manage promotions");
    case TILL_PERMISSION_VIEW_MEMBER_DATA:
      return _ ("See and export members' personal data");
    case TILL_PERMISSION_TOP_UP:
      return _ ("Top up stored-value cards");
    case TILL_PERMISSION_CASH_MOVEMENT:
      return _ ("Put cash in or pay out from the drawer");
    case TILL_PERMISSION_ACCEPT_VARIANCE:
      return _ ("Accept a cash variance at close");
    case TILL_PERMISSION_MANAGE_SHIFTS:
      return _ ("Read or close another cashier's shift");
    case TILL_PERMISSION_Z_REPORT:
      return _ ("End the business day (Z report)");
    case TILL_PERMISSION_MANAGE_PRODUCTS:
      return _ ("Manage products and prices");
    case TILL_PERMISSION_MANAGE_STOCK:
      return _ ("Receive, transfer and adjust stock");
    case TILL_PERMISSION_STOCKTAKE:
      return _ ("Post a stocktake");
    case TILL_PERMISSION_VIEW_REPORTS:
      return _ ("Read and export reports");
    default:
      g_return_val_if_reached (NULL);
    }
}

gboolean
till_permission_role_default (TillRole role, TillPermission permission)
{
  g_return_val_if_fail ((guint) permission < TILL_N_PERMISSIONS, FALSE);
  return role >= default_lowest_role[permission];
}

/**
 * till_permission_role_has:
 *
 * A manager's edit in role_permission wins over the default. A database error
 * refuses (and warns): a till that cannot read its rules grants nothing.
 */
gboolean
till_permission_role_has (TillStore *store, TillRole role, TillPermission permission)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GError) error = NULL;
  int rc;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail ((guint) permission < TILL_N_PERMISSIONS, FALSE);

  if (role == TILL_ROLE_ADMIN)
    return TRUE;

  stmt = till_store_prepare (
      store, "SELECT allowed FROM role_permission WHERE role = ? AND permission = ?", &error);
  if (stmt == NULL)
    {
      g_warning ("Cannot read the role permissions: %s", error->message);
      return FALSE;
    }
  sqlite3_bind_text (stmt, 1, till_role_to_string (role), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, permission_names[permission], -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return sqlite3_column_int (stmt, 0) != 0;
  if (rc != SQLITE_DONE)
    {
      g_warning ("Cannot read the role permissions: %s",
                 sqlite3_errmsg (till_store_get_db (store)));
      return FALSE;
    }
  return till_permission_role_default (role, permission);
}

/**
 * till_permission_role_set:
 * @actor_code: (nullable): the manager making the change
 *
 * Stores what @role may do and journals it. The caller must first check that
 * the actor has %TILL_PERMISSION_MANAGE_USERS (till_permission_check()).
 */
gboolean
till_permission_role_set (TillStore     *store,
                          TillJournal   *journal,
                          const char    *actor_code,
                          TillRole       role,
                          TillPermission permission,
                          gboolean       allowed,
                          GError       **error)
{
  g_autoptr (GString) details = g_string_new (NULL);
  gboolean began;
  gboolean ok;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), FALSE);
  g_return_val_if_fail ((guint) role <= TILL_ROLE_ADMIN, FALSE);
  g_return_val_if_fail ((guint) permission < TILL_N_PERMISSIONS, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (role == TILL_ROLE_ADMIN)
    {
      /* Otherwise a slip could leave no one able to manage users. */
      g_set_error (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_FAILED,
                   _ ("An administrator always has every permission"));
      return FALSE;
    }

  if (!_till_user_begin (store, &began, error))
    return FALSE;
  ok = TRUE;
  if (permission == TILL_PERMISSION_MANAGE_USERS && !allowed)
    {
      gboolean exists;

      /* Taking the right from a role must leave someone who can give it back. */
      ok = _till_user_other_manager_exists (store, 0, role, FALSE, &exists, error);
      if (ok && !exists)
        {
          g_set_error (error, TILL_USER_ERROR, TILL_USER_ERROR_LAST_MANAGER,
                       _ ("No active user could manage users any more: make another manager "
                          "first"));
          ok = FALSE;
        }
    }
  if (ok)
    {
      g_autoptr (TillStmt) stmt = till_store_prepare (
          store,
          "INSERT INTO role_permission (role, permission, allowed) "
          "VALUES (?, ?, ?) "
          "ON CONFLICT (role, permission) DO UPDATE SET allowed = excluded.allowed",
          error);

      ok = stmt != NULL;
      if (ok)
        {
          sqlite3_bind_text (stmt, 1, till_role_to_string (role), -1, SQLITE_STATIC);
          sqlite3_bind_text (stmt, 2, permission_names[permission], -1, SQLITE_STATIC);
          sqlite3_bind_int (stmt, 3, allowed ? 1 : 0);
          ok = till_store_step_done (store, stmt, error);
        }
    }
  if (ok)
    {
      g_string_append_c (details, ',');
      _till_json_append_key_string (details, "role", till_role_to_string (role));
      g_string_append_c (details, ',');
      _till_json_append_key_string (details, "permission", permission_names[permission]);
      g_string_append_c (details, ',');
      _till_json_append_key_int (details, "allowed", allowed ? 1 : 0);
      ok = _till_user_journal_change (store, journal, "role-permission", actor_code, NULL, details,
                                      error);
    }
  return _till_user_end (store, began, ok, error);
}

void
till_user_limits_for_role (TillRole role, TillUserLimits *out_limits)
{
  g_return_if_fail (out_limits != NULL);

  switch (role)
    {
    case TILL_ROLE_SUPERVISOR:
      out_limits->max_line_discount_bp = 2000; /* 20 % */
      out_limits->max_price_override = 5000;   /* ¥50 */
      out_limits->max_refund = 50000;          /* ¥500 */
      break;
    case TILL_ROLE_MANAGER:
    case TILL_ROLE_ADMIN:
      out_limits->max_line_discount_bp = -1;
      out_limits->max_price_override = -1;
      out_limits->max_refund = -1;
      break;
    case TILL_ROLE_CASHIER:
    default:
      out_limits->max_line_discount_bp = 0;
      out_limits->max_price_override = 0;
      out_limits->max_refund = 0;
      break;
    }
}

gboolean
till_user_get_limits (TillStore *store, TillUser *user, TillUserLimits *out_limits, GError **error)
{
  TillRole role;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (TILL_IS_USER (user), FALSE);
  g_return_val_if_fail (out_limits != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return load_rights (store, till_user_get_id (user), &role, out_limits, error);
}

/**
 * till_user_set_limits:
 * @limits: (nullable): the new limits (each ≥ -1), or %NULL for the role's
 *
 * Journaled (action "limits"). The caller checks the actor's
 * %TILL_PERMISSION_MANAGE_USERS.
 */
gboolean
till_user_set_limits (TillStore            *store,
                      TillJournal          *journal,
                      const char           *actor_code,
                      TillUser             *user,
                      const TillUserLimits *limits,
                      GError              **error)
{
  g_autoptr (GString) details = g_string_new (NULL);
  g_autoptr (TillStmt) stmt = NULL;
  gboolean began;
  gboolean ok;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), FALSE);
  g_return_val_if_fail (TILL_IS_USER (user), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (limits != NULL &&
      (limits->max_line_discount_bp < -1 || limits->max_line_discount_bp > 10000 ||
       limits->max_price_override < -1 || limits->max_refund < -1))
    {
      g_set_error (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_FAILED,
                   _ ("A limit is a discount of 0 to 100 %%, an amount of 0 or more, or “no "
                      "limit”"));
      return FALSE;
    }

  if (!_till_user_begin (store, &began, error))
    return FALSE;
  stmt = till_store_prepare (store,
                             "UPDATE user SET max_line_discount_bp = ?, max_price_override = ?, "
                             "max_refund = ? WHERE id = ? AND active",
                             error);
  ok = stmt != NULL;
  if (ok)
    {
      if (limits != NULL)
        {
          sqlite3_bind_int (stmt, 1, limits->max_line_discount_bp);
          sqlite3_bind_int64 (stmt, 2, limits->max_price_override);
          sqlite3_bind_int64 (stmt, 3, limits->max_refund);
        }
      sqlite3_bind_int64 (stmt, 4, till_user_get_id (user));
      ok = till_store_step_done (store, stmt, error);
    }
  if (ok && sqlite3_changes (till_store_get_db (store)) == 0)
    {
      ok = FALSE;
      g_set_error (error, TILL_USER_ERROR, TILL_USER_ERROR_NO_USER, _ ("There is no user %s"),
                   till_user_get_code (user));
    }
  if (ok)
    {
      if (limits != NULL)
        {
          g_string_append_c (details, ',');
          _till_json_append_key_int (details, "max_line_discount_bp", limits->max_line_discount_bp);
          g_string_append_c (details, ',');
          _till_json_append_key_int (details, "max_price_override", limits->max_price_override);
          g_string_append_c (details, ',');
          _till_json_append_key_int (details, "max_refund", limits->max_refund);
        }
      else
        g_string_append (details, ",\"limits\":\"role-default\"");
      ok = _till_user_journal_change (store, journal, "limits", actor_code,
                                      till_user_get_code (user), details, error);
    }
  return _till_user_end (store, began, ok, error);
}

/**
 * till_permission_check:
 *
 * See the header. The override path signs the supervisor in by code and PIN (or
 * badge), which counts a wrong PIN towards their lockout even though the
 * caller will roll back, then checks their own role and limit, then journals
 * who approved what, for whom, and why.
 */
gboolean
till_permission_check (TillStore          *store,
                       TillJournal        *journal,
                       TillUser           *user,
                       TillPermission      permission,
                       gint64              amount,
                       const TillOverride *override,
                       GError            **error)
{
  g_autoptr (GError) own_error = NULL;
  g_autoptr (GError) supervisor_error = NULL;
  g_autoptr (TillUser) supervisor = NULL;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (journal == NULL || TILL_IS_JOURNAL (journal), FALSE);
  g_return_val_if_fail (TILL_IS_USER (user), FALSE);
  g_return_val_if_fail ((guint) permission < TILL_N_PERMISSIONS, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!till_store_in_transaction (store))
    {
      g_set_error (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_FAILED,
                   _ ("A permission check must run in the transaction of the act it allows"));
      return FALSE;
    }
  /* |G_MININT64| does not fit: treat it as the largest amount. */
  amount = amount == G_MININT64 ? G_MAXINT64 : ABS (amount);

  if (user_may (store, till_user_get_id (user), permission, amount, &own_error))
    return TRUE;
  if (override == NULL ||
      (!g_error_matches (own_error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED) &&
       !g_error_matches (own_error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_LIMIT)))
    {
      g_propagate_error (error, g_steal_pointer (&own_error));
      return FALSE;
    }

  if (is_blank (override->reason))
    {
      g_set_error (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_OVERRIDE,
                   _ ("An override needs a reason"));
      return FALSE;
    }
  if (override->supervisor_code == NULL || override->supervisor_secret == NULL)
    {
      g_set_error (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_OVERRIDE,
                   _ ("An override needs a supervisor's code and PIN or badge"));
      return FALSE;
    }
  if (journal == NULL)
    {
      g_set_error (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_FAILED,
                   _ ("An override cannot be recorded without the journal"));
      return FALSE;
    }

  supervisor =
      _till_user_authenticate (store, override->supervisor_code, override->supervisor_secret,
                               override->badge, &supervisor_error);
  if (supervisor == NULL)
    {
      g_set_error (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_OVERRIDE,
                   _ ("The supervisor's approval failed: %s"), supervisor_error->message);
      return FALSE;
    }
  if (till_user_get_id (supervisor) == till_user_get_id (user))
    {
      g_set_error (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_OVERRIDE,
                   _ ("Another person must approve this"));
      return FALSE;
    }

  g_clear_error (&supervisor_error);
  if (!user_may (store, till_user_get_id (supervisor), permission, amount, &supervisor_error))
    {
      g_set_error (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_OVERRIDE,
                   _ ("%s may not approve this: %s"), till_user_get_name (supervisor),
                   supervisor_error->message);
      return FALSE;
    }

  return journal_override (store, journal, user, supervisor, permission, amount, override, error);
}

/**
 * till_permission_approve:
 * till_permission_check() for an act with nothing else to record.
 */
gboolean
till_permission_approve (TillStore          *store,
                         TillJournal        *journal,
                         TillUser           *user,
                         TillPermission      permission,
                         gint64              amount,
                         const TillOverride *override,
                         GError            **error)
{
  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (!till_store_in_transaction (store), FALSE);

  if (!till_store_begin (store, error))
    return FALSE;
  if (!till_permission_check (store, journal, user, permission, amount, override, error) ||
      !till_store_commit (store, error))
    {
      till_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

/**
 * till_permission_check_user_first:
 * Acts that name who approved them (stock documents, shift acts) ask the
 * user alone first: a supervisor's override is journaled only when it was
 * needed.
 */
gboolean
till_permission_check_user_first (TillStore          *store,
                                  TillJournal        *journal,
                                  TillUser           *user,
                                  TillPermission      permission,
                                  const TillOverride *override,
                                  const char        **out_approved_by,
                                  GError            **error)
{
  g_autoptr (GError) own_error = NULL;

  *out_approved_by = NULL;
  if (till_permission_check (store, journal, user, permission, 0, NULL, &own_error))
    return TRUE;
  if (override == NULL ||
      !g_error_matches (own_error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED))
    {
      g_propagate_error (error, g_steal_pointer (&own_error));
      return FALSE;
    }
  if (!till_permission_check (store, journal, user, permission, 0, override, error))
    return FALSE;
  *out_approved_by = override->supervisor_code;
  return TRUE;
}

gboolean
till_permission_error_needs_override (const GError *error)
{
  return g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED) ||
         g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_LIMIT);
}
