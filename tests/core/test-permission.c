/* test-permission.c: tests for src/core/till-permission.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "till-core.h"
#include "till-test-util.h"

static char        *scratch;
static char        *db_path;
static char        *key_path;
static TillStore   *store;
static TillJournal *journal;
static TillUser    *cashier;
static TillUser    *supervisor;
static TillUser    *manager;
static TillUser    *admin;

static TillUser *
make_user (const char *code, const char *name, TillRole role, const char *pin)
{
  g_autoptr (GError) error = NULL;
  TillUser *user;

  ck_assert_msg (till_user_create (store, code, name, role, pin, &error) > 0, "%s",
                 error ? error->message : "");
  user = till_user_authenticate (store, code, pin, &error);
  ck_assert_msg (user != NULL, "%s", error ? error->message : "");
  return user;
}

static void
open_store (void)
{
  g_autoptr (GError) error = NULL;

  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  journal = till_journal_new (store, key_path, &error);
  ck_assert_msg (journal != NULL, "%s", error ? error->message : "");
}

static void
close_store (void)
{
  g_clear_object (&journal);
  g_clear_object (&store);
}

static void
setup (void)
{
  scratch = till_test_make_tmpdir ();
  db_path = g_build_filename (scratch, "till.db", NULL);
  key_path = g_build_filename (scratch, "journal.key", NULL);
  open_store ();
  cashier = make_user ("1001", "王小丽", TILL_ROLE_CASHIER, "1111");
  supervisor = make_user ("2001", "陈主管", TILL_ROLE_SUPERVISOR, "2222");
  manager = make_user ("3001", "李经理", TILL_ROLE_MANAGER, "3333");
  admin = make_user ("4001", "管理员", TILL_ROLE_ADMIN, "4444");
}

static void
teardown (void)
{
  g_clear_object (&cashier);
  g_clear_object (&supervisor);
  g_clear_object (&manager);
  g_clear_object (&admin);
  close_store ();
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
  g_clear_pointer (&db_path, g_free);
  g_clear_pointer (&key_path, g_free);
}

/* till_permission_check() as callers with nothing else to record run it:
 * through till_permission_approve(), in a transaction of its own. */
static gboolean
check (TillUser           *user,
       TillPermission      permission,
       gint64              amount,
       const TillOverride *override,
       GError            **error)
{
  gboolean ok = till_permission_approve (store, journal, user, permission, amount, override, error);

  /* Committed or rolled back: never left open. */
  ck_assert (!till_store_in_transaction (store));
  return ok;
}

static gint64
journal_count (const char *kind)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                        "SELECT count(*) FROM journal WHERE kind = ?", -1, &stmt,
                                        NULL),
                    SQLITE_OK);
  sqlite3_bind_text (stmt, 1, kind, -1, SQLITE_STATIC);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

static char *
last_journal_body (const char *kind)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                        "SELECT body FROM journal WHERE kind = ? "
                                        "ORDER BY seq DESC LIMIT 1",
                                        -1, &stmt, NULL),
                    SQLITE_OK);
  sqlite3_bind_text (stmt, 1, kind, -1, SQLITE_STATIC);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  return g_strndup (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
}

static int
failed_attempts (const char *code)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                        "SELECT failed_attempts FROM user WHERE code = ?", -1,
                                        &stmt, NULL),
                    SQLITE_OK);
  sqlite3_bind_text (stmt, 1, code, -1, SQLITE_STATIC);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  return sqlite3_column_int (stmt, 0);
}

static void
assert_journal_verifies (void)
{
  g_autoptr (GError) error = NULL;
  gint64 bad_seq = -1;

  ck_assert_msg (till_journal_verify (journal, &bad_seq, &error),
                 "bad seq %" G_GINT64_FORMAT ": %s", bad_seq, error ? error->message : "");
}

/* /core/permission/names: every permission round-trips through its stored name */
START_TEST (test_names)
{
  for (guint i = 0; i < TILL_N_PERMISSIONS; i++)
    {
      TillPermission back = TILL_N_PERMISSIONS;

      ck_assert (till_permission_from_string (till_permission_to_string (i), &back));
      ck_assert_int_eq (back, i);
      ck_assert_str_ne (till_permission_get_label (i), "");
    }
  {
    TillPermission none;

    ck_assert (!till_permission_from_string ("fly", &none));
  }
  ck_assert_str_eq (till_permission_to_string (TILL_PERMISSION_VOID_LINE), "void-line");
}
END_TEST

/* /core/permission/role-defaults: each permission allowed or denied per role,
 * both by role_has and by till_permission_check */
START_TEST (test_role_defaults)
{
  static const TillPermission cashier_may[] = { TILL_PERMISSION_QUANTITY_CHANGE,
                                                TILL_PERMISSION_SUSPEND_SALE,
                                                TILL_PERMISSION_RETURN_WITH_RECEIPT,
                                                TILL_PERMISSION_REPRINT, TILL_PERMISSION_TOP_UP };
  static const TillPermission supervisor_adds[] = { TILL_PERMISSION_VOID_LINE,
                                                    TILL_PERMISSION_VOID_SALE,
                                                    TILL_PERMISSION_NO_SALE,
                                                    TILL_PERMISSION_PRICE_OVERRIDE,
                                                    TILL_PERMISSION_LINE_DISCOUNT,
                                                    TILL_PERMISSION_SALE_DISCOUNT,
                                                    TILL_PERMISSION_RETURN_WITHOUT_RECEIPT,
                                                    TILL_PERMISSION_CASH_MOVEMENT,
                                                    TILL_PERMISSION_ACCEPT_VARIANCE,
                                                    TILL_PERMISSION_MANAGE_SHIFTS,
                                                    TILL_PERMISSION_Z_REPORT,
                                                    TILL_PERMISSION_MANAGE_STOCK,
                                                    TILL_PERMISSION_STOCKTAKE,
                                                    TILL_PERMISSION_VIEW_REPORTS };
  static const TillPermission manager_adds[] = { TILL_PERMISSION_MANAGE_USERS,
                                                 TILL_PERMISSION_DEVICE_SETTINGS,
                                                 TILL_PERMISSION_MANAGE_PROMOTIONS,
                                                 TILL_PERMISSION_VIEW_MEMBER_DATA,
                                                 TILL_PERMISSION_MANAGE_PRODUCTS };
  /* lowest[p]: the lowest role the issue gives p to. */
  TillRole  lowest[TILL_N_PERMISSIONS];
  TillUser *users[] = { cashier, supervisor, manager, admin };

  for (guint p = 0; p < TILL_N_PERMISSIONS; p++)
    lowest[p] = TILL_ROLE_ADMIN;
  for (guint i = 0; i < G_N_ELEMENTS (cashier_may); i++)
    lowest[cashier_may[i]] = TILL_ROLE_CASHIER;
  for (guint i = 0; i < G_N_ELEMENTS (supervisor_adds); i++)
    lowest[supervisor_adds[i]] = TILL_ROLE_SUPERVISOR;
  for (guint i = 0; i < G_N_ELEMENTS (manager_adds); i++)
    lowest[manager_adds[i]] = TILL_ROLE_MANAGER;

  for (guint r = 0; r < G_N_ELEMENTS (users); r++)
    for (guint p = 0; p < TILL_N_PERMISSIONS; p++)
      {
        g_autoptr (GError) error = NULL;
        gboolean expected = (TillRole) r >= lowest[p];
        /* amount 0: within every limit, so only the role decides. */
        gboolean allowed = check (users[r], p, 0, NULL, &error);

        ck_assert_msg (till_permission_role_has (store, r, p) == expected, "%s / %s",
                       till_role_to_string (r), till_permission_to_string (p));
        ck_assert_msg (allowed == expected, "%s / %s: %s", till_role_to_string (r),
                       till_permission_to_string (p), error ? error->message : "allowed");
        if (!expected)
          ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED));
      }
  /* A plain allowed check writes nothing to the journal. */
  ck_assert_int_eq (journal_count ("override"), 0);
}
END_TEST

/* /core/permission/needs-transaction */
START_TEST (test_needs_transaction)
{
  g_autoptr (GError) error = NULL;

  ck_assert (
      !till_permission_check (store, journal, manager, TILL_PERMISSION_REPRINT, 0, NULL, &error));
  ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_FAILED));
}
END_TEST

/* /core/permission/limits: below, at and above a supervisor's default limits */
START_TEST (test_limits)
{
  struct
  {
    TillPermission permission;
    gint64         limit;
  } cases[] = {
    { TILL_PERMISSION_LINE_DISCOUNT, 2000 },
    { TILL_PERMISSION_SALE_DISCOUNT, 2000 },
    { TILL_PERMISSION_PRICE_OVERRIDE, 5000 },
    { TILL_PERMISSION_RETURN_WITHOUT_RECEIPT, 50000 },
    { TILL_PERMISSION_RETURN_WITH_RECEIPT, 50000 },
  };
  TillUserLimits limits;

  ck_assert (till_user_get_limits (store, supervisor, &limits, NULL));
  ck_assert_int_eq (limits.max_line_discount_bp, 2000);
  ck_assert_int_eq (limits.max_price_override, 5000);
  ck_assert_int_eq (limits.max_refund, 50000);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;

      ck_assert (check (supervisor, cases[i].permission, cases[i].limit - 1, NULL, NULL));
      ck_assert (check (supervisor, cases[i].permission, cases[i].limit, NULL, NULL));
      /* A negative amount (a price cut) counts by its size. */
      ck_assert (check (supervisor, cases[i].permission, -cases[i].limit, NULL, NULL));
      ck_assert (!check (supervisor, cases[i].permission, cases[i].limit + 1, NULL, &error));
      ck_assert_msg (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_LIMIT),
                     "%s", till_permission_to_string (cases[i].permission));
      /* A manager has no limit. */
      ck_assert (check (manager, cases[i].permission, G_MAXINT64, NULL, NULL));
    }

  /* A cashier may return with the receipt but refund nothing without approval. */
  ck_assert (check (cashier, TILL_PERMISSION_RETURN_WITH_RECEIPT, 0, NULL, NULL));
  {
    g_autoptr (GError) error = NULL;

    ck_assert (!check (cashier, TILL_PERMISSION_RETURN_WITH_RECEIPT, 1, NULL, &error));
    ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_LIMIT));
  }

  /* Limits not tied to an act are ignored for it. */
  ck_assert (check (cashier, TILL_PERMISSION_REPRINT, 999999, NULL, NULL));
}
END_TEST

/* /core/permission/set-limits: per-user limits replace the role's, NULL restores */
START_TEST (test_set_limits)
{
  g_autoptr (GError) error = NULL;
  TillUserLimits custom = { 500, 100, 2000 };
  TillUserLimits bad = { -2, 0, 0 };
  TillUserLimits read;
  gint64         changes = journal_count ("user-change");

  ck_assert_msg (till_user_set_limits (store, journal, "3001", cashier, &custom, &error), "%s",
                 error ? error->message : "");
  ck_assert (till_user_get_limits (store, cashier, &read, NULL));
  ck_assert_int_eq (read.max_line_discount_bp, 500);
  ck_assert_int_eq (read.max_price_override, 100);
  ck_assert_int_eq (read.max_refund, 2000);
  ck_assert_int_eq (journal_count ("user-change"), changes + 1);
  {
    g_autofree char *body = last_journal_body ("user-change");

    ck_assert_str_eq (body, "{\"action\":\"limits\",\"actor_code\":\"3001\",\"user_code\":\"1001\","
                            "\"max_line_discount_bp\":500,\"max_price_override\":100,"
                            "\"max_refund\":2000}");
  }
  /* The cashier still lacks the discount permission itself. */
  ck_assert (!check (cashier, TILL_PERMISSION_LINE_DISCOUNT, 100, NULL, NULL));
  ck_assert (check (cashier, TILL_PERMISSION_RETURN_WITH_RECEIPT, 2000, NULL, NULL));
  ck_assert (!check (cashier, TILL_PERMISSION_RETURN_WITH_RECEIPT, 2001, NULL, NULL));

  ck_assert (!till_user_set_limits (store, journal, "3001", cashier, &bad, &error));
  ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_FAILED));
  g_clear_error (&error);

  ck_assert (till_user_set_limits (store, journal, "3001", cashier, NULL, NULL));
  ck_assert (till_user_get_limits (store, cashier, &read, NULL));
  ck_assert_int_eq (read.max_refund, 0);
  assert_journal_verifies ();
}
END_TEST

/* /core/permission/override/good: a supervisor approves; the journal says who,
 * what, why and for whom, and still verifies */
START_TEST (test_override_good)
{
  g_autoptr (GError) error = NULL;
  TillOverride     override = { "2001", "2222", FALSE, "customer-changed-mind" };
  g_autofree char *body = NULL;

  ck_assert (!check (cashier, TILL_PERMISSION_VOID_LINE, 0, NULL, &error));
  ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED));
  g_clear_error (&error);

  ck_assert_msg (check (cashier, TILL_PERMISSION_VOID_LINE, 0, &override, &error), "%s",
                 error ? error->message : "");
  ck_assert_int_eq (journal_count ("override"), 1);
  body = last_journal_body ("override");
  ck_assert_str_eq (body, "{\"permission\":\"void-line\",\"amount\":0,\"user_code\":\"1001\","
                          "\"supervisor_code\":\"2001\",\"reason\":\"customer-changed-mind\","
                          "\"method\":\"pin\"}");

  /* Over the cashier's limit, within the supervisor's: approved with the amount. */
  {
    TillOverride     refund = { "2001", "2222", FALSE, "receipt \"faded\"" };
    g_autofree char *refund_body = NULL;

    ck_assert_msg (check (cashier, TILL_PERMISSION_RETURN_WITH_RECEIPT, 12345, &refund, &error),
                   "%s", error ? error->message : "");
    refund_body = last_journal_body ("override");
    ck_assert_str_eq (refund_body, "{\"permission\":\"return-with-receipt\",\"amount\":12345,"
                                   "\"user_code\":\"1001\",\"supervisor_code\":\"2001\","
                                   "\"reason\":\"receipt \\\"faded\\\"\",\"method\":\"pin\"}");
  }
  ck_assert_int_eq (journal_count ("override"), 2);
  assert_journal_verifies ();
}
END_TEST

/* /core/permission/override/not-needed: an allowed act ignores the override and
 * journals nothing */
START_TEST (test_override_not_needed)
{
  TillOverride override = { "2001", "2222", FALSE, "x" };

  ck_assert (check (cashier, TILL_PERMISSION_REPRINT, 0, &override, NULL));
  ck_assert_int_eq (journal_count ("override"), 0);
}
END_TEST

/* /core/permission/override/refused: a supervisor lacking the permission or the
 * limit, a missing reason, the user approving themselves */
START_TEST (test_override_refused)
{
  g_autoptr (TillUser) cashier2 = make_user ("1002", "赵收银", TILL_ROLE_CASHIER, "5555");
  TillOverride by_cashier = { "1002", "5555", FALSE, "busy" };
  TillOverride over_limit = { "2001", "2222", FALSE, "big refund" };
  TillOverride no_reason = { "2001", "2222", FALSE, "  " };
  TillOverride null_reason = { "2001", "2222", FALSE, NULL };
  TillOverride by_manager = { "3001", "3333", FALSE, "big refund" };
  TillOverride self = { "2001", "2222", FALSE, "me" };
  GError      *error = NULL;

  ck_assert (!check (cashier, TILL_PERMISSION_NO_SALE, 0, &by_cashier, &error));
  ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_OVERRIDE));
  g_clear_error (&error);

  ck_assert (!check (cashier, TILL_PERMISSION_RETURN_WITH_RECEIPT, 50001, &over_limit, &error));
  ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_OVERRIDE));
  g_clear_error (&error);
  ck_assert (check (cashier, TILL_PERMISSION_RETURN_WITH_RECEIPT, 50001, &by_manager, NULL));

  ck_assert (!check (cashier, TILL_PERMISSION_VOID_SALE, 0, &no_reason, &error));
  ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_OVERRIDE));
  g_clear_error (&error);
  ck_assert (!check (cashier, TILL_PERMISSION_VOID_SALE, 0, &null_reason, &error));
  ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_OVERRIDE));
  g_clear_error (&error);

  /* A supervisor over their own limit cannot approve it for themselves. */
  ck_assert (!check (supervisor, TILL_PERMISSION_PRICE_OVERRIDE, 5001, &self, &error));
  ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_OVERRIDE));
  g_clear_error (&error);

  ck_assert_int_eq (journal_count ("override"), 1); /* the manager's only */
  assert_journal_verifies ();
}
END_TEST

/* /core/permission/override/wrong-pin: counts towards the supervisor's lockout,
 * even though the caller rolls back */
START_TEST (test_override_wrong_pin)
{
  TillOverride wrong = { "2001", "9999", FALSE, "customer-changed-mind" };
  TillOverride right = { "2001", "2222", FALSE, "customer-changed-mind" };
  g_autoptr (GError) error = NULL;

  for (int i = 1; i <= TILL_USER_MAX_FAILED_ATTEMPTS; i++)
    {
      g_autoptr (GError) attempt_error = NULL;

      ck_assert (!check (cashier, TILL_PERMISSION_VOID_LINE, 0, &wrong, &attempt_error));
      ck_assert (
          g_error_matches (attempt_error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_OVERRIDE));
    }
  ck_assert_int_eq (journal_count ("override"), 0);

  /* Locked now: even the right PIN is refused, for the override and at sign-in. */
  ck_assert (!check (cashier, TILL_PERMISSION_VOID_LINE, 0, &right, &error));
  ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_OVERRIDE));
  g_clear_error (&error);
  {
    g_autoptr (TillUser) again = till_user_authenticate (store, "2001", "2222", &error);

    ck_assert_ptr_null (again);
    ck_assert_msg (g_error_matches (error, TILL_USER_ERROR, TILL_USER_ERROR_LOCKED), "%s",
                   error ? error->message : "");
  }
  /* The count reached the database, outside the rolled-back transactions. */
  ck_assert_int_eq (failed_attempts ("2001"), TILL_USER_MAX_FAILED_ATTEMPTS);
}
END_TEST

/* /core/permission/override/badge */
START_TEST (test_override_badge)
{
  g_autoptr (GError) error = NULL;
  TillOverride     good = { "2001", "BADGE-2001-XYZ", TRUE, "price-label-wrong" };
  TillOverride     bad = { "2001", "BADGE-0000-XYZ", TRUE, "price-label-wrong" };
  g_autofree char *body = NULL;

  ck_assert (till_user_set_badge (store, journal, "3001", "2001", "BADGE-2001-XYZ", &error));
  ck_assert (!check (cashier, TILL_PERMISSION_PRICE_OVERRIDE, 300, &bad, &error));
  ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_OVERRIDE));
  g_clear_error (&error);
  ck_assert_msg (check (cashier, TILL_PERMISSION_PRICE_OVERRIDE, 300, &good, &error), "%s",
                 error ? error->message : "");
  body = last_journal_body ("override");
  ck_assert_ptr_nonnull (strstr (body, "\"method\":\"badge\""));
  ck_assert_ptr_nonnull (strstr (body, "\"amount\":300"));
}
END_TEST

/* /core/permission/role-set: a manager's edit applies, is journaled and
 * persists across a reopen; admin cannot be edited */
START_TEST (test_role_set)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *body = NULL;

  ck_assert (!till_permission_role_has (store, TILL_ROLE_CASHIER, TILL_PERMISSION_NO_SALE));
  ck_assert (till_store_begin (store, NULL));
  ck_assert (
      till_permission_check (store, journal, manager, TILL_PERMISSION_MANAGE_USERS, 0, NULL, NULL));
  ck_assert_msg (till_permission_role_set (store, journal, "3001", TILL_ROLE_CASHIER,
                                           TILL_PERMISSION_NO_SALE, TRUE, &error),
                 "%s", error ? error->message : "");
  ck_assert (till_store_commit (store, NULL));
  ck_assert (till_permission_role_set (store, journal, "3001", TILL_ROLE_SUPERVISOR,
                                       TILL_PERMISSION_VOID_SALE, FALSE, NULL));
  body = last_journal_body ("user-change");
  ck_assert_str_eq (body, "{\"action\":\"role-permission\",\"actor_code\":\"3001\","
                          "\"user_code\":null,\"role\":\"supervisor\","
                          "\"permission\":\"void-sale\",\"allowed\":0}");

  ck_assert (!till_permission_role_set (store, journal, "3001", TILL_ROLE_ADMIN,
                                        TILL_PERMISSION_MANAGE_USERS, FALSE, &error));
  ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_FAILED));

  close_store ();
  open_store ();
  ck_assert (till_permission_role_has (store, TILL_ROLE_CASHIER, TILL_PERMISSION_NO_SALE));
  ck_assert (!till_permission_role_has (store, TILL_ROLE_SUPERVISOR, TILL_PERMISSION_VOID_SALE));
  ck_assert (check (cashier, TILL_PERMISSION_NO_SALE, 0, NULL, NULL));
  ck_assert (!check (supervisor, TILL_PERMISSION_VOID_SALE, 0, NULL, NULL));
  /* Untouched permissions keep their defaults. */
  ck_assert (till_permission_role_has (store, TILL_ROLE_SUPERVISOR, TILL_PERMISSION_VOID_LINE));
  ck_assert (till_permission_role_has (store, TILL_ROLE_ADMIN, TILL_PERMISSION_VOID_SALE));
  assert_journal_verifies ();
}
END_TEST

/* /core/permission/role-change: a user's stored role decides, not the sign-in
 * snapshot; a deactivated user is refused */
/* Which refusals a supervisor can lift: the role's and the limit's, not a
 * refused override or any other failure. */
START_TEST (test_error_needs_override)
{
  g_autoptr (GError) denied =
      g_error_new_literal (TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED, "denied");
  g_autoptr (GError) limit =
      g_error_new_literal (TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_LIMIT, "limit");
  g_autoptr (GError) refused =
      g_error_new_literal (TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_OVERRIDE, "refused");
  g_autoptr (GError) other = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "disk");

  ck_assert (till_permission_error_needs_override (denied));
  ck_assert (till_permission_error_needs_override (limit));
  ck_assert (!till_permission_error_needs_override (refused));
  ck_assert (!till_permission_error_needs_override (other));
  ck_assert (!till_permission_error_needs_override (NULL));
}
END_TEST

START_TEST (test_role_change)
{
  g_autoptr (GError) error = NULL;

  ck_assert (!check (cashier, TILL_PERMISSION_VOID_LINE, 0, NULL, NULL));
  ck_assert (till_user_set_role (store, journal, "3001", "1001", TILL_ROLE_SUPERVISOR, &error));
  ck_assert (check (cashier, TILL_PERMISSION_VOID_LINE, 0, NULL, NULL));
  {
    g_autofree char *body = last_journal_body ("user-change");

    ck_assert_str_eq (body, "{\"action\":\"role\",\"actor_code\":\"3001\",\"user_code\":\"1001\","
                            "\"from\":\"cashier\",\"to\":\"supervisor\"}");
  }
  ck_assert (till_store_exec (store, "UPDATE user SET active = 0 WHERE code = '1001'", NULL));
  ck_assert (!check (cashier, TILL_PERMISSION_REPRINT, 0, NULL, &error));
  ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED));
}
END_TEST

/* /core/permission/role-set-manage-users: the right to manage users may move
 * between roles, but never so that no active user keeps it */
START_TEST (test_role_set_manage_users)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *last_entry = NULL;
  g_autofree char *after = NULL;

  /* The admin always may: managers can lose the right. */
  ck_assert_msg (till_permission_role_set (store, journal, "4001", TILL_ROLE_MANAGER,
                                           TILL_PERMISSION_MANAGE_USERS, FALSE, &error),
                 "%s", error ? error->message : "");
  ck_assert (!till_user_check_may_manage (store, "3001", NULL));
  ck_assert (till_user_check_may_manage (store, "4001", NULL));

  /* Without the admin, the managers' right is the last one: kept. */
  ck_assert (till_permission_role_set (store, journal, "4001", TILL_ROLE_MANAGER,
                                       TILL_PERMISSION_MANAGE_USERS, TRUE, NULL));
  ck_assert (till_store_exec (store, "UPDATE user SET active = 0 WHERE code = '4001'", NULL));
  last_entry = last_journal_body ("user-change");
  ck_assert (!till_permission_role_set (store, journal, "3001", TILL_ROLE_MANAGER,
                                        TILL_PERMISSION_MANAGE_USERS, FALSE, &error));
  ck_assert (g_error_matches (error, TILL_USER_ERROR, TILL_USER_ERROR_LAST_MANAGER));
  after = last_journal_body ("user-change");
  ck_assert_str_eq (after, last_entry);
  ck_assert (till_permission_role_has (store, TILL_ROLE_MANAGER, TILL_PERMISSION_MANAGE_USERS));
  ck_assert (check (manager, TILL_PERMISSION_MANAGE_USERS, 0, NULL, NULL));
  /* Other rights are not guarded so. */
  ck_assert (till_permission_role_set (store, journal, "3001", TILL_ROLE_MANAGER,
                                       TILL_PERMISSION_DEVICE_SETTINGS, FALSE, NULL));
}
END_TEST

static Suite *
permission_suite (void)
{
  Suite *suite = suite_create ("core/permission");
  TCase *roles = tcase_create ("roles");
  TCase *limits = tcase_create ("limits");
  TCase *override = tcase_create ("override");

  tcase_add_checked_fixture (roles, setup, teardown);
  tcase_add_test (roles, test_names);
  tcase_add_test (roles, test_role_defaults);
  tcase_add_test (roles, test_needs_transaction);
  tcase_add_test (roles, test_role_set);
  tcase_add_test (roles, test_role_change);
  tcase_add_test (roles, test_role_set_manage_users);
  suite_add_tcase (suite, roles);

  tcase_add_checked_fixture (limits, setup, teardown);
  tcase_add_test (limits, test_limits);
  tcase_add_test (limits, test_set_limits);
  suite_add_tcase (suite, limits);

  /* scrypt on each try under the sanitizers takes a while */
  tcase_set_timeout (override, 120);
  tcase_add_checked_fixture (override, setup, teardown);
  tcase_add_test (override, test_override_good);
  tcase_add_test (override, test_override_not_needed);
  tcase_add_test (override, test_override_refused);
  tcase_add_test (override, test_override_wrong_pin);
  tcase_add_test (override, test_override_badge);
  tcase_add_test (override, test_error_needs_override);
  suite_add_tcase (suite, override);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (permission_suite ());
}
