/* test-user.c: tests for src/core/till-user.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "till-core.h"
#include "till-test-util.h"

static char        *scratch;
static TillStore   *store;
static TillJournal *journal;
static gint64       fake_now_us;

static gint64
fake_now (void)
{
  return fake_now_us;
}

static void
setup (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *db_path = NULL;

  scratch = till_test_make_tmpdir ();
  db_path = g_build_filename (scratch, "till.db", NULL);
  g_autofree char *key_path = NULL;

  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  key_path = g_build_filename (scratch, "journal.key", NULL);
  journal = till_journal_new (store, key_path, &error);
  ck_assert_msg (journal != NULL, "%s", error ? error->message : "");
  /* 2024-03-01 10:00:00 UTC */
  fake_now_us = G_GINT64_CONSTANT (1709287200) * G_USEC_PER_SEC;
  till_user_set_clock_for_testing (store, fake_now);
}

static void
teardown (void)
{
  g_clear_object (&journal);
  g_clear_object (&store);
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
}

static gint64
create (const char *code, const char *name, TillRole role, const char *pin)
{
  g_autoptr (GError) error = NULL;
  gint64 id = till_user_create (store, code, name, role, pin, &error);

  ck_assert_msg (id > 0, "creating %s: %s", code, error ? error->message : "");
  ck_assert_ptr_null (error);
  return id;
}

/* /core/user/authenticate */
START_TEST (test_authenticate)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillUser) user = NULL;
  gint64 id = create ("1001", "张三", TILL_ROLE_CASHIER, "1234");

  user = till_user_authenticate (store, "1001", "1234", &error);
  ck_assert_msg (user != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (till_user_get_id (user), id);
  ck_assert_str_eq (till_user_get_code (user), "1001");
  ck_assert_str_eq (till_user_get_name (user), "张三");
  ck_assert_int_eq (till_user_get_role (user), TILL_ROLE_CASHIER);
}
END_TEST

/* /core/user/wrong-pin: a wrong PIN and an unknown user look the same */
START_TEST (test_wrong_pin)
{
  g_autoptr (GError) wrong_pin = NULL;
  g_autoptr (GError) unknown_user = NULL;
  g_autoptr (TillUser) user = NULL;
  g_autoptr (TillUser) nobody = NULL;

  create ("1001", "张三", TILL_ROLE_CASHIER, "1234");

  user = till_user_authenticate (store, "1001", "4321", &wrong_pin);
  ck_assert_ptr_null (user);
  ck_assert (g_error_matches (wrong_pin, TILL_USER_ERROR, TILL_USER_ERROR_BAD_PIN));

  nobody = till_user_authenticate (store, "7777", "4321", &unknown_user);
  ck_assert_ptr_null (nobody);
  ck_assert (g_error_matches (unknown_user, TILL_USER_ERROR, TILL_USER_ERROR_BAD_PIN));
  ck_assert_str_eq (wrong_pin->message, unknown_user->message);
}
END_TEST

/* /core/user/pin-format */
START_TEST (test_pin_format)
{
  static const char *const bad_pins[] = { "", "123", "123456789", "12a4", "12 34", "１２３４" };

  for (guint i = 0; i < G_N_ELEMENTS (bad_pins); i++)
    {
      g_autoptr (GError) error = NULL;

      ck_assert_int_eq (
          till_user_create (store, "1001", "张三", TILL_ROLE_CASHIER, bad_pins[i], &error), 0);
      ck_assert_msg (g_error_matches (error, TILL_USER_ERROR, TILL_USER_ERROR_BAD_PIN),
                     "PIN \"%s\" accepted", bad_pins[i]);
    }

  /* 4 and 8 digits are the limits, both allowed. */
  create ("1001", "张三", TILL_ROLE_CASHIER, "0000");
  create ("1002", "李四", TILL_ROLE_CASHIER, "12345678");
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (TillUser) user = till_user_authenticate (store, "1002", "12345678", &error);

    ck_assert_msg (user != NULL, "%s", error ? error->message : "");
  }
}
END_TEST

/* /core/user/stored-hash: the PIN is salted and hashed, never stored */
START_TEST (test_stored_hash)
{
  sqlite3 *db = till_store_get_db (store);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  const void *salt_a;
  const void *salt_b;

  create ("1001", "张三", TILL_ROLE_CASHIER, "1234");
  create ("1002", "李四", TILL_ROLE_CASHIER, "1234");

  ck_assert_int_eq (sqlite3_prepare_v2 (db,
                                        "SELECT code, role, pin_salt, pin_hash FROM user "
                                        "ORDER BY code",
                                        -1, &stmt, NULL),
                    SQLITE_OK);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  ck_assert_str_eq ((const char *) sqlite3_column_text (stmt, 1), "cashier");
  ck_assert_int_eq (sqlite3_column_bytes (stmt, 2), 16);
  ck_assert_int_eq (sqlite3_column_bytes (stmt, 3), 32);
  ck_assert_ptr_null (g_strstr_len (sqlite3_column_blob (stmt, 3), 32, "1234"));
  {
    g_autofree void *first_salt = g_memdup2 (sqlite3_column_blob (stmt, 2), 16);
    g_autofree void *first_hash = g_memdup2 (sqlite3_column_blob (stmt, 3), 32);

    ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
    salt_a = first_salt;
    salt_b = sqlite3_column_blob (stmt, 2);
    /* Same PIN, different salt, different hash. */
    ck_assert (memcmp (salt_a, salt_b, 16) != 0);
    ck_assert (memcmp (first_hash, sqlite3_column_blob (stmt, 3), 32) != 0);
  }
}
END_TEST

/* /core/user/duplicate */
START_TEST (test_duplicate)
{
  g_autoptr (GError) error = NULL;

  create ("1001", "张三", TILL_ROLE_CASHIER, "1234");
  ck_assert_int_eq (till_user_create (store, "1001", "李四", TILL_ROLE_MANAGER, "5678", &error), 0);
  ck_assert (g_error_matches (error, TILL_USER_ERROR, TILL_USER_ERROR_DUPLICATE));
}
END_TEST

/* /core/user/roles */
START_TEST (test_roles)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) users = NULL;
  static const TillRole    roles[] = { TILL_ROLE_CASHIER, TILL_ROLE_SUPERVISOR, TILL_ROLE_MANAGER,
                                       TILL_ROLE_ADMIN };
  static const char *const names[] = { "cashier", "supervisor", "manager", "admin" };

  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    {
      g_autofree char *code = g_strdup_printf ("%u00%u", i + 1, i);

      ck_assert_str_eq (till_role_to_string (roles[i]), names[i]);
      ck_assert_ptr_nonnull (till_role_get_label (roles[i]));
      ck_assert_str_ne (till_role_get_label (roles[i]), "");
      create (code, names[i], roles[i], "1234");
    }
  ck_assert_str_eq (till_role_get_label (TILL_ROLE_ADMIN), "Administrator");

  /* The role survives the database: each user comes back with its own. */
  users = till_user_list_active (store, &error);
  ck_assert_msg (users != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (users->len, G_N_ELEMENTS (roles));
  for (guint i = 0; i < users->len; i++)
    {
      TillUser *user = users->pdata[i];

      ck_assert_str_eq (till_role_to_string (till_user_get_role (user)), till_user_get_name (user));
    }
  {
    g_autoptr (TillUser) manager = till_user_authenticate (store, "3002", "1234", &error);

    ck_assert_msg (manager != NULL, "%s", error ? error->message : "");
    ck_assert_int_eq (till_user_get_role (manager), TILL_ROLE_MANAGER);
  }
}
END_TEST

/* /core/user/inactive: a deactivated user can neither sign in nor is listed */
START_TEST (test_inactive)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) users = NULL;
  g_autoptr (TillUser) user = NULL;

  create ("1001", "张三", TILL_ROLE_CASHIER, "1234");
  create ("1002", "李四", TILL_ROLE_CASHIER, "1234");
  ck_assert (till_store_exec (store, "UPDATE user SET active = 0 WHERE code = '1001'", NULL));

  user = till_user_authenticate (store, "1001", "1234", &error);
  ck_assert_ptr_null (user);
  ck_assert (g_error_matches (error, TILL_USER_ERROR, TILL_USER_ERROR_BAD_PIN));

  users = till_user_list_active (store, NULL);
  ck_assert_uint_eq (users->len, 1);
  ck_assert_str_eq (till_user_get_code (users->pdata[0]), "1002");
}
END_TEST

static void
assert_sign_in (const char *code, const char *pin, gint expected_code)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillUser) user = till_user_authenticate (store, code, pin, &error);

  if (expected_code < 0)
    ck_assert_msg (user != NULL, "%s: %s", code, error ? error->message : "");
  else
    {
      ck_assert_ptr_null (user);
      ck_assert_msg (g_error_matches (error, TILL_USER_ERROR, expected_code), "%s: %s", code,
                     error ? error->message : "no error");
    }
}

static gint64
count_journal (const char *kind)
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

/* /core/user/lockout/five: locked after exactly 5 wrong PINs, for 15 minutes */
START_TEST (test_lockout_timing)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillUser) locked = NULL;
  gint64 fifth_failure_us;

  /* Issue 5's numbers, written out: 5 wrong PINs, 15 minutes. */
  create ("1001", "张三", TILL_ROLE_CASHIER, "1234");
  for (int i = 1; i < 5; i++)
    assert_sign_in ("1001", "0000", TILL_USER_ERROR_BAD_PIN);
  /* Four wrong PINs: the right one still works, and clears the count. */
  assert_sign_in ("1001", "1234", -1);
  for (int i = 1; i < 5; i++)
    assert_sign_in ("1001", "0000", TILL_USER_ERROR_BAD_PIN);
  assert_sign_in ("1001", "1234", -1);

  for (int i = 1; i <= 5; i++)
    {
      fake_now_us += G_USEC_PER_SEC;
      assert_sign_in ("1001", "0000", TILL_USER_ERROR_BAD_PIN);
    }
  fifth_failure_us = fake_now_us;

  /* The right PIN is refused now, with a message that says until when. */
  locked = till_user_authenticate (store, "1001", "1234", &error);
  ck_assert_ptr_null (locked);
  ck_assert (g_error_matches (error, TILL_USER_ERROR, TILL_USER_ERROR_LOCKED));
  {
    g_autoptr (GDateTime) until = g_date_time_new_from_unix_local (
        (fifth_failure_us + 15 * G_TIME_SPAN_MINUTE) / G_USEC_PER_SEC);
    g_autofree char *hhmm = g_date_time_format (until, "%H:%M");

    ck_assert_msg (strstr (error->message, hhmm) != NULL, "%s lacks %s", error->message, hhmm);
  }

  fake_now_us = fifth_failure_us + 14 * G_TIME_SPAN_MINUTE + 59 * G_USEC_PER_SEC;
  assert_sign_in ("1001", "1234", TILL_USER_ERROR_LOCKED);
  fake_now_us = fifth_failure_us + 15 * G_TIME_SPAN_MINUTE;
  assert_sign_in ("1001", "1234", -1);
  /* Free again with a fresh count: one wrong PIN does not lock. */
  assert_sign_in ("1001", "0000", TILL_USER_ERROR_BAD_PIN);
  assert_sign_in ("1001", "1234", -1);
}
END_TEST

/* /core/user/lockout/expiry-resets: after a lock runs out, wrong PINs count from 0 */
START_TEST (test_lockout_expiry_resets)
{
  create ("1001", "张三", TILL_ROLE_CASHIER, "1234");
  for (int i = 1; i <= TILL_USER_MAX_FAILED_ATTEMPTS; i++)
    assert_sign_in ("1001", "0000", TILL_USER_ERROR_BAD_PIN);
  fake_now_us += TILL_USER_LOCKOUT_US;
  assert_sign_in ("1001", "0000", TILL_USER_ERROR_BAD_PIN);
  assert_sign_in ("1001", "1234", -1);
}
END_TEST

/* /core/user/lockout/unlock: a manager lifts the lock at once; journaled */
START_TEST (test_unlock)
{
  g_autoptr (GError) error = NULL;
  gint64 changes;

  create ("1001", "张三", TILL_ROLE_CASHIER, "1234");
  for (int i = 1; i <= TILL_USER_MAX_FAILED_ATTEMPTS; i++)
    assert_sign_in ("1001", "0000", TILL_USER_ERROR_BAD_PIN);
  assert_sign_in ("1001", "1234", TILL_USER_ERROR_LOCKED);

  changes = count_journal ("user-change");
  ck_assert_msg (till_user_unlock (store, journal, "3001", "1001", &error), "%s",
                 error ? error->message : "");
  ck_assert_int_eq (count_journal ("user-change"), changes + 1);
  assert_sign_in ("1001", "1234", -1);

  ck_assert (!till_user_unlock (store, journal, "3001", "nobody", &error));
  ck_assert (g_error_matches (error, TILL_USER_ERROR, TILL_USER_ERROR_NO_USER));
}
END_TEST

/* /core/user/lockout/per-user: one user's lock leaves the others alone, and
 * survives a restart */
START_TEST (test_lockout_persists)
{
  g_autofree char *db_path = g_build_filename (scratch, "till.db", NULL);

  create ("1001", "张三", TILL_ROLE_CASHIER, "1234");
  create ("1002", "李四", TILL_ROLE_CASHIER, "5678");
  for (int i = 1; i <= TILL_USER_MAX_FAILED_ATTEMPTS; i++)
    assert_sign_in ("1001", "0000", TILL_USER_ERROR_BAD_PIN);
  assert_sign_in ("1002", "5678", -1);

  g_clear_object (&journal);
  g_clear_object (&store);
  store = till_store_open (db_path, NULL);
  ck_assert_ptr_nonnull (store);
  till_user_set_clock_for_testing (store, fake_now);
  assert_sign_in ("1001", "1234", TILL_USER_ERROR_LOCKED);
  /* An unknown user is never "locked": that would tell which codes exist. */
  for (int i = 1; i <= TILL_USER_MAX_FAILED_ATTEMPTS + 1; i++)
    assert_sign_in ("7777", "0000", TILL_USER_ERROR_BAD_PIN);
}
END_TEST

/* /core/user/badge: sign-in by badge, stored hashed, lockout applies */
START_TEST (test_badge)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillUser) user = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;

  create ("1001", "张三", TILL_ROLE_CASHIER, "1234");
  create ("1002", "李四", TILL_ROLE_CASHIER, "5678");

  /* No badge yet anywhere. */
  user = till_user_authenticate_badge (store, "0004512345", &error);
  ck_assert_ptr_null (user);
  ck_assert (g_error_matches (error, TILL_USER_ERROR, TILL_USER_ERROR_BAD_BADGE));
  g_clear_error (&error);

  ck_assert_msg (till_user_set_badge (store, journal, "3001", "1001", "0004512345", &error), "%s",
                 error ? error->message : "");
  /* The scanner's trailing Enter does not matter. */
  user = till_user_authenticate_badge (store, "0004512345\r\n", &error);
  ck_assert_msg (user != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (till_user_get_code (user), "1001");
  g_clear_object (&user);

  user = till_user_authenticate_badge (store, "0004512346", &error);
  ck_assert_ptr_null (user);
  ck_assert (g_error_matches (error, TILL_USER_ERROR, TILL_USER_ERROR_BAD_BADGE));
  g_clear_error (&error);
  ck_assert (!till_user_set_badge (store, journal, "3001", "1001", "12", &error));
  ck_assert (g_error_matches (error, TILL_USER_ERROR, TILL_USER_ERROR_BAD_BADGE));
  g_clear_error (&error);

  /* One badge, one user. */
  ck_assert (!till_user_set_badge (store, journal, "3001", "1002", "0004512345", &error));
  ck_assert (g_error_matches (error, TILL_USER_ERROR, TILL_USER_ERROR_DUPLICATE));
  g_clear_error (&error);

  /* Stored as a 32-byte hash, not the code. */
  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                        "SELECT badge_hash FROM user WHERE code = '1001'", -1,
                                        &stmt, NULL),
                    SQLITE_OK);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  ck_assert_int_eq (sqlite3_column_bytes (stmt, 0), 32);
  ck_assert_ptr_null (g_strstr_len (sqlite3_column_blob (stmt, 0), 32, "45123"));

  /* A user locked by wrong PINs cannot use the badge either. */
  for (int i = 1; i <= TILL_USER_MAX_FAILED_ATTEMPTS; i++)
    assert_sign_in ("1001", "0000", TILL_USER_ERROR_BAD_PIN);
  user = till_user_authenticate_badge (store, "0004512345", &error);
  ck_assert_ptr_null (user);
  ck_assert (g_error_matches (error, TILL_USER_ERROR, TILL_USER_ERROR_LOCKED));
  g_clear_error (&error);
  fake_now_us += TILL_USER_LOCKOUT_US;
  user = till_user_authenticate_badge (store, "0004512345", &error);
  ck_assert_msg (user != NULL, "%s", error ? error->message : "");
  g_clear_object (&user);

  /* Removing the badge ends badge sign-in. */
  ck_assert (till_user_set_badge (store, journal, "3001", "1001", NULL, NULL));
  user = till_user_authenticate_badge (store, "0004512345", &error);
  ck_assert_ptr_null (user);
  ck_assert (g_error_matches (error, TILL_USER_ERROR, TILL_USER_ERROR_BAD_BADGE));
}
END_TEST

/* /core/user/journaled-changes: create and role change are journaled and the
 * journal verifies */
START_TEST (test_journaled_changes)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillUser) user = NULL;
  gint64 bad_seq = -1;

  ck_assert (till_user_create_journaled (store, journal, "3001", "1001", "张三", TILL_ROLE_CASHIER,
                                         "1234", &error) > 0);
  ck_assert (till_user_set_role (store, journal, "3001", "1001", TILL_ROLE_SUPERVISOR, &error));
  ck_assert_int_eq (count_journal ("user-change"), 2);
  ck_assert (!till_user_set_role (store, journal, "3001", "9999", TILL_ROLE_MANAGER, &error));
  ck_assert (g_error_matches (error, TILL_USER_ERROR, TILL_USER_ERROR_NO_USER));
  g_clear_error (&error);
  /* A failed create leaves neither a user nor an entry. */
  ck_assert_int_eq (till_user_create_journaled (store, journal, "3001", "1001", "重复",
                                                TILL_ROLE_CASHIER, "1234", &error),
                    0);
  ck_assert (g_error_matches (error, TILL_USER_ERROR, TILL_USER_ERROR_DUPLICATE));
  g_clear_error (&error);
  ck_assert_int_eq (count_journal ("user-change"), 2);

  user = till_user_authenticate (store, "1001", "1234", &error);
  ck_assert_msg (user != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (till_user_get_role (user), TILL_ROLE_SUPERVISOR);
  ck_assert_msg (till_journal_verify (journal, &bad_seq, &error), "%s",
                 error ? error->message : "");
}
END_TEST

/* ---- What the manager's users screen does ------------------------------- */

static char *
last_journal_body (const char *kind)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                        "SELECT CAST (body AS TEXT) FROM journal WHERE kind = ? "
                                        "ORDER BY seq DESC LIMIT 1",
                                        -1, &stmt, NULL),
                    SQLITE_OK);
  sqlite3_bind_text (stmt, 1, kind, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

static void
assert_journal_verifies (void)
{
  g_autoptr (GError) error = NULL;
  gint64 bad_seq = -1;

  ck_assert_msg (till_journal_verify (journal, &bad_seq, &error), "entry %" G_GINT64_FORMAT ": %s",
                 bad_seq, error ? error->message : "");
}

/* A cashier 1001, a supervisor 2001 and a manager 3001. */
static void
make_staff (void)
{
  create ("1001", "张三", TILL_ROLE_CASHIER, "1234");
  create ("2001", "陈主管", TILL_ROLE_SUPERVISOR, "2222");
  create ("3001", "李经理", TILL_ROLE_MANAGER, "3333");
}

static TillUserInfo *
info_of (const char *code)
{
  g_autoptr (GError) error = NULL;
  TillUserInfo *info = till_user_get_info (store, code, &error);

  ck_assert_msg (info != NULL, "%s: %s", code, error ? error->message : "");
  return info;
}

/* /core/user/manage/list: every user, inactive ones too, with role, lockout,
 * badge and the limits in force */
START_TEST (test_list)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) users = NULL;
  g_autoptr (TillUser) supervisor = NULL;
  TillUserLimits custom = { 500, 1000, -1 };
  TillUserInfo  *info;

  make_staff ();
  ck_assert (till_store_exec (store, "UPDATE user SET active = 0 WHERE code = '2001'", NULL));
  for (int i = 0; i < TILL_USER_MAX_FAILED_ATTEMPTS; i++)
    assert_sign_in ("1001", "0000", TILL_USER_ERROR_BAD_PIN);
  ck_assert (till_user_set_badge (store, journal, "3001", "3001", "BADGE-3001", NULL));

  users = till_user_list (store, &error);
  ck_assert_msg (users != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (users->len, 3);

  info = users->pdata[0];
  ck_assert_str_eq (info->code, "1001");
  ck_assert_str_eq (info->name, "张三");
  ck_assert_int_eq (info->role, TILL_ROLE_CASHIER);
  ck_assert (info->active);
  ck_assert (!info->has_badge);
  ck_assert_int_eq (info->failed_attempts, TILL_USER_MAX_FAILED_ATTEMPTS);
  ck_assert_int_eq (info->locked_until_us, fake_now_us + TILL_USER_LOCKOUT_US);
  ck_assert (!info->own_limits);
  ck_assert_int_eq (info->max_line_discount_bp, 0);

  info = users->pdata[1];
  ck_assert_str_eq (info->code, "2001");
  ck_assert (!info->active);
  ck_assert_int_eq (info->locked_until_us, 0);
  /* The supervisor role's defaults apply where the user has none. */
  ck_assert_int_eq (info->max_line_discount_bp, 2000);
  ck_assert_int_eq (info->max_price_override, 5000);
  ck_assert_int_eq (info->max_refund, 50000);

  info = users->pdata[2];
  ck_assert_str_eq (info->code, "3001");
  ck_assert_int_eq (info->role, TILL_ROLE_MANAGER);
  ck_assert (info->has_badge);
  ck_assert_int_eq (info->max_refund, -1);
  g_clear_pointer (&users, g_ptr_array_unref);

  /* Own limits show as such; a lock that ran out is no lock. */
  ck_assert (till_store_exec (store, "UPDATE user SET active = 1 WHERE code = '2001'", NULL));
  supervisor = till_user_lookup (store, "2001", &error);
  ck_assert_msg (supervisor != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (till_user_get_name (supervisor), "陈主管");
  ck_assert_int_eq (till_user_get_role (supervisor), TILL_ROLE_SUPERVISOR);
  ck_assert (till_user_set_limits (store, journal, "3001", supervisor, &custom, NULL));
  fake_now_us += TILL_USER_LOCKOUT_US;
  {
    g_autoptr (TillUserInfo) cashier = info_of ("1001");
    g_autoptr (TillUserInfo) own = info_of ("2001");

    ck_assert_int_eq (cashier->locked_until_us, 0);
    ck_assert_int_eq (cashier->failed_attempts, 0);
    ck_assert (own->own_limits);
    ck_assert_int_eq (own->max_line_discount_bp, 500);
    ck_assert_int_eq (own->max_price_override, 1000);
    ck_assert_int_eq (own->max_refund, -1);
  }

  ck_assert_ptr_null (till_user_get_info (store, "7777", &error));
  ck_assert (g_error_matches (error, TILL_USER_ERROR, TILL_USER_ERROR_NO_USER));
  g_clear_error (&error);
  /* lookup gives only active users. */
  ck_assert (till_store_exec (store, "UPDATE user SET active = 0 WHERE code = '2001'", NULL));
  ck_assert_ptr_null (till_user_lookup (store, "2001", &error));
  ck_assert (g_error_matches (error, TILL_USER_ERROR, TILL_USER_ERROR_NO_USER));
}
END_TEST

/* /core/user/manage/may-manage: the actor's role as stored now decides */
START_TEST (test_may_manage)
{
  g_autoptr (GError) error = NULL;

  make_staff ();
  create ("4001", "管理员", TILL_ROLE_ADMIN, "4444");
  ck_assert (till_user_check_may_manage (store, "3001", NULL));
  ck_assert (till_user_check_may_manage (store, "4001", NULL));
  ck_assert (!till_user_check_may_manage (store, "1001", &error));
  ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED));
  g_clear_error (&error);
  ck_assert (!till_user_check_may_manage (store, "2001", &error));
  ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED));
  g_clear_error (&error);
  ck_assert (!till_user_check_may_manage (store, "7777", &error));
  ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED));
  g_clear_error (&error);
  ck_assert (!till_user_check_may_manage (store, NULL, &error));
  ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED));
  g_clear_error (&error);

  /* A manager's edit of the supervisors' rights applies at once. */
  ck_assert (till_permission_role_set (store, journal, "3001", TILL_ROLE_SUPERVISOR,
                                       TILL_PERMISSION_MANAGE_USERS, TRUE, NULL));
  ck_assert (till_user_check_may_manage (store, "2001", NULL));
  /* A deactivated manager is refused. */
  ck_assert (till_user_set_active (store, journal, "4001", "3001", FALSE, &error));
  ck_assert (!till_user_check_may_manage (store, "3001", &error));
  ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED));
}
END_TEST

/* /core/user/manage/reset-pin: the new PIN works, the old one not, a lockout
 * is lifted; journaled without the PIN; refused for a cashier */
START_TEST (test_reset_pin)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *body = NULL;
  gint64           changes;

  make_staff ();
  for (int i = 0; i < TILL_USER_MAX_FAILED_ATTEMPTS; i++)
    assert_sign_in ("1001", "0000", TILL_USER_ERROR_BAD_PIN);
  assert_sign_in ("1001", "1234", TILL_USER_ERROR_LOCKED);

  /* A cashier may not: nothing changes, nothing is journaled. */
  changes = count_journal ("user-change");
  ck_assert (!till_user_reset_pin (store, journal, "1001", "1001", "5678", &error));
  ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED));
  g_clear_error (&error);
  ck_assert (!till_user_reset_pin (store, journal, "2001", "1001", "5678", &error));
  ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED));
  g_clear_error (&error);
  ck_assert_int_eq (count_journal ("user-change"), changes);
  /* Not a PIN, or no such user. */
  ck_assert (!till_user_reset_pin (store, journal, "3001", "1001", "12", &error));
  ck_assert (g_error_matches (error, TILL_USER_ERROR, TILL_USER_ERROR_BAD_PIN));
  g_clear_error (&error);
  ck_assert (!till_user_reset_pin (store, journal, "3001", "7777", "5678", &error));
  ck_assert (g_error_matches (error, TILL_USER_ERROR, TILL_USER_ERROR_NO_USER));
  g_clear_error (&error);
  ck_assert_int_eq (count_journal ("user-change"), changes);
  assert_sign_in ("1001", "1234", TILL_USER_ERROR_LOCKED);

  ck_assert_msg (till_user_reset_pin (store, journal, "3001", "1001", "5678", &error), "%s",
                 error ? error->message : "");
  ck_assert_int_eq (count_journal ("user-change"), changes + 1);
  body = last_journal_body ("user-change");
  ck_assert_str_eq (body, "{\"action\":\"pin\",\"actor_code\":\"3001\",\"user_code\":\"1001\"}");
  assert_sign_in ("1001", "1234", TILL_USER_ERROR_BAD_PIN);
  assert_sign_in ("1001", "5678", -1);
  assert_journal_verifies ();
}
END_TEST

/* /core/user/manage/set-name: renamed and journaled; refused for a cashier */
START_TEST (test_set_name)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *body = NULL;
  g_autoptr (TillUser) user = NULL;

  make_staff ();
  ck_assert (!till_user_set_name (store, journal, "1001", "1001", "张三丰", &error));
  ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED));
  g_clear_error (&error);
  ck_assert (!till_user_set_name (store, journal, "3001", "1001", "  ", &error));
  ck_assert (g_error_matches (error, TILL_USER_ERROR, TILL_USER_ERROR_FAILED));
  g_clear_error (&error);
  ck_assert_int_eq (count_journal ("user-change"), 0);

  ck_assert_msg (till_user_set_name (store, journal, "3001", "1001", " 张三丰 ", &error), "%s",
                 error ? error->message : "");
  body = last_journal_body ("user-change");
  ck_assert_str_eq (body, "{\"action\":\"name\",\"actor_code\":\"3001\",\"user_code\":\"1001\","
                          "\"from\":\"张三\",\"to\":\"张三丰\"}");
  user = till_user_authenticate (store, "1001", "1234", &error);
  ck_assert_msg (user != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (till_user_get_name (user), "张三丰");
}
END_TEST

/* /core/user/manage/deactivate: an inactive user cannot sign in and comes back
 * when reactivated; both journaled; refused for a cashier and for oneself */
START_TEST (test_deactivate)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *body = NULL;
  gint64           changes;

  make_staff ();
  ck_assert (!till_user_set_active (store, journal, "1001", "2001", FALSE, &error));
  ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED));
  g_clear_error (&error);
  ck_assert_int_eq (count_journal ("user-change"), 0);

  ck_assert_msg (till_user_set_active (store, journal, "3001", "2001", FALSE, &error), "%s",
                 error ? error->message : "");
  body = last_journal_body ("user-change");
  ck_assert_str_eq (body,
                    "{\"action\":\"deactivate\",\"actor_code\":\"3001\",\"user_code\":\"2001\"}");
  g_clear_pointer (&body, g_free);
  assert_sign_in ("2001", "2222", TILL_USER_ERROR_BAD_PIN);
  {
    g_autoptr (TillUserInfo) info = info_of ("2001");

    ck_assert (!info->active);
  }
  /* Deactivating again changes nothing and journals nothing. */
  changes = count_journal ("user-change");
  ck_assert (till_user_set_active (store, journal, "3001", "2001", FALSE, NULL));
  ck_assert_int_eq (count_journal ("user-change"), changes);

  ck_assert (till_user_set_active (store, journal, "3001", "2001", TRUE, &error));
  body = last_journal_body ("user-change");
  ck_assert_str_eq (body,
                    "{\"action\":\"reactivate\",\"actor_code\":\"3001\",\"user_code\":\"2001\"}");
  assert_sign_in ("2001", "2222", -1);

  /* Not oneself, even with another manager present. */
  create ("3002", "赵经理", TILL_ROLE_MANAGER, "3333");
  ck_assert (!till_user_set_active (store, journal, "3001", "3001", FALSE, &error));
  ck_assert (g_error_matches (error, TILL_USER_ERROR, TILL_USER_ERROR_LAST_MANAGER));
  g_clear_error (&error);
  ck_assert (!till_user_set_active (store, journal, "3001", "7777", FALSE, &error));
  ck_assert (g_error_matches (error, TILL_USER_ERROR, TILL_USER_ERROR_NO_USER));
  assert_journal_verifies ();
}
END_TEST

/* /core/user/manage/last-manager: the last active user who may manage users is
 * neither deactivated nor demoted; with another manager (or an admin) they are */
START_TEST (test_last_manager)
{
  g_autoptr (GError) error = NULL;
  gint64 changes;

  make_staff ();
  create ("3002", "赵经理", TILL_ROLE_MANAGER, "3333");
  /* 3002 deactivates 3001: fine, 3002 is left. */
  ck_assert_msg (till_user_set_active (store, journal, "3002", "3001", FALSE, &error), "%s",
                 error ? error->message : "");
  changes = count_journal ("user-change");

  /* 3002 is now the last: not demoted by a setup call either. */
  ck_assert (!till_user_set_role (store, journal, NULL, "3002", TILL_ROLE_SUPERVISOR, &error));
  ck_assert (g_error_matches (error, TILL_USER_ERROR, TILL_USER_ERROR_LAST_MANAGER));
  ck_assert_ptr_nonnull (strstr (error->message, "manager"));
  g_clear_error (&error);
  ck_assert (!till_permission_role_set (store, journal, "3002", TILL_ROLE_MANAGER,
                                        TILL_PERMISSION_MANAGE_USERS, FALSE, &error));
  ck_assert (g_error_matches (error, TILL_USER_ERROR, TILL_USER_ERROR_LAST_MANAGER));
  g_clear_error (&error);
  ck_assert (till_permission_role_has (store, TILL_ROLE_MANAGER, TILL_PERMISSION_MANAGE_USERS));
  ck_assert_int_eq (count_journal ("user-change"), changes);
  {
    g_autoptr (TillUserInfo) info = info_of ("3002");

    ck_assert_int_eq (info->role, TILL_ROLE_MANAGER);
  }

  /* A supervisor given the right counts as someone who can manage users. */
  ck_assert (till_permission_role_set (store, journal, "3002", TILL_ROLE_SUPERVISOR,
                                       TILL_PERMISSION_MANAGE_USERS, TRUE, NULL));
  ck_assert_msg (till_user_set_role (store, journal, "3002", "3002", TILL_ROLE_CASHIER, &error),
                 "%s", error ? error->message : "");
  /* … and now the supervisor 2001 is the last one. */
  ck_assert (!till_user_set_role (store, journal, "2001", "2001", TILL_ROLE_CASHIER, &error));
  ck_assert (g_error_matches (error, TILL_USER_ERROR, TILL_USER_ERROR_LAST_MANAGER));
  g_clear_error (&error);
  ck_assert (!till_permission_role_set (store, journal, "2001", TILL_ROLE_SUPERVISOR,
                                        TILL_PERMISSION_MANAGE_USERS, FALSE, &error));
  ck_assert (g_error_matches (error, TILL_USER_ERROR, TILL_USER_ERROR_LAST_MANAGER));
  g_clear_error (&error);

  /* An admin always may: with one, the supervisors lose the right again. */
  create ("4001", "管理员", TILL_ROLE_ADMIN, "4444");
  ck_assert_msg (till_permission_role_set (store, journal, "4001", TILL_ROLE_SUPERVISOR,
                                           TILL_PERMISSION_MANAGE_USERS, FALSE, &error),
                 "%s", error ? error->message : "");
  ck_assert (!till_user_set_active (store, journal, "4001", "4001", FALSE, &error));
  ck_assert (g_error_matches (error, TILL_USER_ERROR, TILL_USER_ERROR_LAST_MANAGER));
  assert_journal_verifies ();
}
END_TEST

static Suite *
user_suite (void)
{
  Suite *suite = suite_create ("core/user");
  TCase *tc = tcase_create ("user");
  TCase *lockout = tcase_create ("lockout");
  TCase *manage = tcase_create ("manage");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_authenticate);
  tcase_add_test (tc, test_wrong_pin);
  tcase_add_test (tc, test_pin_format);
  tcase_add_test (tc, test_stored_hash);
  tcase_add_test (tc, test_duplicate);
  tcase_add_test (tc, test_roles);
  tcase_add_test (tc, test_inactive);
  suite_add_tcase (suite, tc);

  /* Many scrypt hashes under the sanitizers: give them time. */
  tcase_set_timeout (lockout, 120);
  tcase_add_checked_fixture (lockout, setup, teardown);
  tcase_add_test (lockout, test_lockout_timing);
  tcase_add_test (lockout, test_lockout_expiry_resets);
  tcase_add_test (lockout, test_unlock);
  tcase_add_test (lockout, test_lockout_persists);
  tcase_add_test (lockout, test_badge);
  tcase_add_test (lockout, test_journaled_changes);
  suite_add_tcase (suite, lockout);

  tcase_set_timeout (manage, 120);
  tcase_add_checked_fixture (manage, setup, teardown);
  tcase_add_test (manage, test_list);
  tcase_add_test (manage, test_may_manage);
  tcase_add_test (manage, test_reset_pin);
  tcase_add_test (manage, test_set_name);
  tcase_add_test (manage, test_deactivate);
  tcase_add_test (manage, test_last_manager);
  suite_add_tcase (suite, manage);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (user_suite ());
}
