/* test-user.c: tests for src/core/till-user.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "till-core.h"
#include "till-test-util.h"

static char      *scratch;
static TillStore *store;

static void
setup (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *db_path = NULL;

  scratch = till_test_make_tmpdir ();
  db_path = g_build_filename (scratch, "till.db", NULL);
  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
}

static void
teardown (void)
{
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

static Suite *
user_suite (void)
{
  Suite *suite = suite_create ("core/user");
  TCase *tc = tcase_create ("user");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_authenticate);
  tcase_add_test (tc, test_wrong_pin);
  tcase_add_test (tc, test_pin_format);
  tcase_add_test (tc, test_stored_hash);
  tcase_add_test (tc, test_duplicate);
  tcase_add_test (tc, test_roles);
  tcase_add_test (tc, test_inactive);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (user_suite ());
}
