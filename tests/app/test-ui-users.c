/* test-ui-users.c: /app/ui/users: the manager's users screen in the real till
 * under Xvfb, driven through its actions: a cashier is refused; the manager
 * adds a supervisor, sets their limits, edits what a role may do, unlocks a
 * locked cashier, resets a PIN and deactivates a user.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "till-app-test-util.h"
#include "till-application.h"
#include "till-test-util.h"
#include "till-ui-test-util.h"
#include "till-users-view.h"
#include "till-window.h"

#define DEMO_SKUS 50
#define DEMO_SEED 7

typedef struct
{
  char            *dir;
  char            *db_path;
  char            *config_path;
  TillApplication *app;
  TillWindow      *window;
  TillSession     *session;
  TillStore       *store;
  TillUsersView   *view;
} Fixture;

/* GTK's "Finalizing TillUsersView …, but it still has children left" warnings
 * seen so far: a view whose dispose leaves its template's widgets behind. */
static gint n_leftover_children;

static GLogWriterOutput
count_leftover_children_writer (GLogLevelFlags   log_level,
                                const GLogField *fields,
                                gsize            n_fields,
                                gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "MESSAGE") &&
        g_strstr_len (fields[i].value, fields[i].length, "still has children") != NULL)
      g_atomic_int_inc (&n_leftover_children);
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

static gint64
count_journal (TillStore *store, const char *body_part)
{
  sqlite3_stmt *stmt = NULL;
  gint64        count;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                        "SELECT count(*) FROM journal WHERE kind = 'user-change' "
                                        "AND instr (CAST (body AS TEXT), ?1) > 0",
                                        -1, &stmt, NULL),
                    SQLITE_OK);
  sqlite3_bind_text (stmt, 1, body_part, -1, SQLITE_STATIC);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  count = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return count;
}

static GtkWidget *
find_users_view (GtkWidget *widget)
{
  if (TILL_IS_USERS_VIEW (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_users_view (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
fixture_setup (Fixture *fixture)
{
  g_autoptr (TillStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *config = NULL;

  g_atomic_int_set (&n_leftover_children, 0);
  fixture->dir = till_test_make_tmpdir ();
  fixture->db_path = g_build_filename (fixture->dir, "till.db", NULL);
  fixture->config_path = g_build_filename (fixture->dir, "till.conf", NULL);
  config = g_strdup_printf ("[till]\ndatabase=%s\nlanguage=zh_CN\n", fixture->db_path);
  ck_assert (g_file_set_contents (fixture->config_path, config, -1, NULL));

  store = till_store_open (fixture->db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  ck_assert_msg (till_demo_populate (store, DEMO_SKUS, DEMO_SEED, &error), "%s",
                 error ? error->message : "");
  g_clear_object (&store); /* the till takes the lock */

  fixture->window = till_test_start_till (NULL, fixture->config_path, FALSE, &fixture->app);
  fixture->session = till_window_get_session (fixture->window);
  ck_assert_msg (fixture->session != NULL, "%s", till_application_get_startup_error (fixture->app));
  fixture->store = till_session_get_store (fixture->session);
  fixture->view = TILL_USERS_VIEW (find_users_view (GTK_WIDGET (fixture->window)));
  ck_assert_ptr_nonnull (fixture->view);
}

static void
fixture_teardown (Fixture *fixture)
{
  if (fixture->window != NULL)
    gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_object (&fixture->app);
  till_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->db_path);
  g_free (fixture->config_path);
  /* Every view let go of its widgets when the window went. */
  ck_assert_msg (g_atomic_int_get (&n_leftover_children) == 0,
                 "%d widget(s) finalized with children left (see the log)",
                 g_atomic_int_get (&n_leftover_children));
}

static void
sign_in (Fixture *fixture, const char *code, const char *pin)
{
  till_test_sign_in (fixture->window, code, pin);
}

/* Runs one of the screen's users.* actions as its button would. */
static void
view_activate (Fixture *fixture, const char *name, GVariant *parameter)
{
  g_autoptr (GVariant) owned = parameter != NULL ? g_variant_ref_sink (parameter) : NULL;

  ck_assert_msg (gtk_widget_activate_action_variant (GTK_WIDGET (fixture->view), name, owned),
                 "the users screen has no action %s", name);
}

static void
assert_message (Fixture *fixture, gboolean expect_error)
{
  gboolean    is_error = !expect_error;
  const char *message = till_users_view_get_message (fixture->view, &is_error);

  ck_assert_msg (*message != '\0', "no message on the screen");
  ck_assert_msg (is_error == expect_error, "expected %s, got: %s",
                 expect_error ? "an error" : "success", message);
}

static void
screenshot (Fixture *fixture, const char *name)
{
  till_test_wait_for_frames (GTK_WIDGET (fixture->window), 2);
  till_test_save_screenshot (GTK_WIDGET (fixture->window), name);
}

/* Every button a finger can reach on the screen now is at least 48 px high. */
static guint
assert_touch_targets (GtkWidget *widget)
{
  guint checked = 0;

  if (!gtk_widget_get_mapped (widget))
    return 0;
  if (GTK_IS_BUTTON (widget))
    {
      const char *label = gtk_button_get_label (GTK_BUTTON (widget));

      ck_assert_msg (gtk_widget_get_height (widget) >= 48, "button “%s” is %d px high",
                     label != NULL ? label : "?", gtk_widget_get_height (widget));
      checked++;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    checked += assert_touch_targets (child);
  return checked;
}

static TillUserInfo *
info_of (Fixture *fixture, const char *code)
{
  g_autoptr (GError) error = NULL;
  TillUserInfo *info = till_user_get_info (fixture->store, code, &error);

  ck_assert_msg (info != NULL, "%s: %s", code, error ? error->message : "");
  return info;
}

/* /app/ui/users/refused: a cashier sees a plain refusal and nothing else */
START_TEST (test_refused)
{
  Fixture fixture = { 0 };

  fixture_setup (&fixture);
  sign_in (&fixture, TILL_DEMO_CASHIER_CODE, TILL_DEMO_CASHIER_PIN);
  till_test_activate (fixture.window, "win.users", NULL);
  ck_assert_str_eq (till_window_get_page (fixture.window), "users");
  ck_assert_str_eq (till_users_view_get_page (fixture.view), "refused");
  ck_assert_str_eq (till_users_view_get_refusal (fixture.view),
                    _ ("Only a manager can manage users; sign in as a manager"));
  /* No user is listed behind the refusal. */
  ck_assert_ptr_null (till_users_view_get_state_text (fixture.view, TILL_DEMO_CASHIER_CODE));
  ck_assert_ptr_null (till_users_view_get_state_text (fixture.view, TILL_DEMO_MANAGER_CODE));
  screenshot (&fixture, "users-01-refused.png");

  /* Even an action run directly changes nothing. */
  view_activate (&fixture, "users.create",
                 g_variant_new ("(sssss)", "2001", "陈主管", "supervisor", "2222", "2222"));
  assert_message (&fixture, TRUE);
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (TillUserInfo) info = till_user_get_info (fixture.store, "2001", &error);

    ck_assert_ptr_null (info);
    ck_assert (g_error_matches (error, TILL_USER_ERROR, TILL_USER_ERROR_NO_USER));
  }
  ck_assert_int_eq (count_journal (fixture.store, "\"create\""), 0);

  view_activate (&fixture, "users.close", NULL);
  ck_assert_str_eq (till_window_get_page (fixture.window), "checkout");
  fixture_teardown (&fixture);
}
END_TEST

/* /app/ui/users/manage: the manager adds a supervisor with limits, edits the
 * cashiers' rights, unlocks a locked cashier, resets a PIN and deactivates */
START_TEST (test_manage)
{
  Fixture          fixture = { 0 };
  g_autofree char *locked_text = NULL;

  fixture_setup (&fixture);
  sign_in (&fixture, TILL_DEMO_MANAGER_CODE, TILL_DEMO_MANAGER_PIN);
  till_test_activate (fixture.window, "win.users", NULL);
  ck_assert_str_eq (till_window_get_page (fixture.window), "users");
  ck_assert_str_eq (till_users_view_get_page (fixture.view), "users");
  ck_assert_str_eq (till_users_view_get_state_text (fixture.view, TILL_DEMO_CASHIER_CODE),
                    _ ("Active"));
  screenshot (&fixture, "users-02-list.png");
  ck_assert_uint_gt (assert_touch_targets (GTK_WIDGET (fixture.view)), 3);

  /* Add a supervisor: two different PINs are refused first. */
  view_activate (&fixture, "users.new", NULL);
  view_activate (&fixture, "users.create",
                 g_variant_new ("(sssss)", "2001", "陈主管", "supervisor", "2222", "2223"));
  assert_message (&fixture, TRUE);
  ck_assert_str_eq (till_users_view_get_message (fixture.view, NULL),
                    _ ("The two PINs differ: type the same PIN twice"));
  ck_assert_int_eq (count_journal (fixture.store, "\"create\""), 0);
  screenshot (&fixture, "users-03-add-form.png");
  view_activate (&fixture, "users.create",
                 g_variant_new ("(sssss)", "2001", "陈主管", "supervisor", "2222", "2222"));
  assert_message (&fixture, FALSE);
  ck_assert_str_eq (till_users_view_get_selected (fixture.view), "2001");
  {
    g_autoptr (TillUserInfo) info = info_of (&fixture, "2001");
    g_autoptr (TillUser) user = till_user_authenticate (fixture.store, "2001", "2222", NULL);

    ck_assert_int_eq (info->role, TILL_ROLE_SUPERVISOR);
    ck_assert_ptr_nonnull (user);
  }
  ck_assert_int_eq (count_journal (fixture.store, "\"create\""), 1);
  /* The same code again: the core's refusal is on the screen. */
  view_activate (&fixture, "users.create",
                 g_variant_new ("(sssss)", "2001", "重复", "cashier", "1111", "1111"));
  assert_message (&fixture, TRUE);
  ck_assert_int_eq (count_journal (fixture.store, "\"create\""), 1);

  /* Their limits: 5 %, ¥20 price change, ¥100 refund. */
  view_activate (&fixture, "users.select", g_variant_new_string ("2001"));
  view_activate (&fixture, "users.set-limits", g_variant_new ("(sss)", "5", "20", "100"));
  assert_message (&fixture, FALSE);
  {
    g_autoptr (TillUserInfo) info = info_of (&fixture, "2001");

    ck_assert (info->own_limits);
    ck_assert_int_eq (info->max_line_discount_bp, 500);
    ck_assert_int_eq (info->max_price_override, 2000);
    ck_assert_int_eq (info->max_refund, 10000);
  }
  ck_assert_int_eq (count_journal (fixture.store, "\"limits\""), 1);
  screenshot (&fixture, "users-04-limits.png");
  ck_assert_uint_gt (assert_touch_targets (GTK_WIDGET (fixture.view)), 3);
  /* Not a figure: refused, the limits stay. */
  view_activate (&fixture, "users.set-limits", g_variant_new ("(sss)", "五", "20", "100"));
  assert_message (&fixture, TRUE);
  ck_assert_int_eq (count_journal (fixture.store, "\"limits\""), 1);

  /* Permissions: cashiers may no longer change quantities. */
  view_activate (&fixture, "users.tab", g_variant_new_string ("permissions"));
  ck_assert_str_eq (till_users_view_get_page (fixture.view), "permissions");
  ck_assert (
      till_permission_role_has (fixture.store, TILL_ROLE_CASHIER, TILL_PERMISSION_QUANTITY_CHANGE));
  ck_assert (till_users_view_get_permission_shown (fixture.view, TILL_ROLE_CASHIER,
                                                   TILL_PERMISSION_QUANTITY_CHANGE));
  view_activate (&fixture, "users.set-permission",
                 g_variant_new ("(ssb)", "cashier", "quantity-change", FALSE));
  assert_message (&fixture, FALSE);
  ck_assert (!till_permission_role_has (fixture.store, TILL_ROLE_CASHIER,
                                        TILL_PERMISSION_QUANTITY_CHANGE));
  ck_assert (!till_users_view_get_permission_shown (fixture.view, TILL_ROLE_CASHIER,
                                                    TILL_PERMISSION_QUANTITY_CHANGE));
  /* … and supervisors may open the drawer no more. */
  view_activate (&fixture, "users.set-permission",
                 g_variant_new ("(ssb)", "supervisor", "no-sale", FALSE));
  ck_assert (
      !till_permission_role_has (fixture.store, TILL_ROLE_SUPERVISOR, TILL_PERMISSION_NO_SALE));
  /* The only manager's role keeps the right to manage users. */
  view_activate (&fixture, "users.set-permission",
                 g_variant_new ("(ssb)", "manager", "manage-users", FALSE));
  assert_message (&fixture, TRUE);
  ck_assert (
      till_permission_role_has (fixture.store, TILL_ROLE_MANAGER, TILL_PERMISSION_MANAGE_USERS));
  ck_assert (till_users_view_get_permission_shown (fixture.view, TILL_ROLE_MANAGER,
                                                   TILL_PERMISSION_MANAGE_USERS));
  screenshot (&fixture, "users-05-permissions.png");
  ck_assert_uint_gt (assert_touch_targets (GTK_WIDGET (fixture.view)), 3);

  /* The cashier locks themselves out with 5 wrong PINs. */
  for (int i = 0; i < TILL_USER_MAX_FAILED_ATTEMPTS; i++)
    {
      g_autoptr (TillUser) nobody =
          till_user_authenticate (fixture.store, TILL_DEMO_CASHIER_CODE, "0000", NULL);

      ck_assert_ptr_null (nobody);
    }
  till_test_activate (fixture.window, "win.users", NULL);
  ck_assert_str_eq (till_users_view_get_page (fixture.view), "users");
  {
    g_autoptr (TillUserInfo) info = info_of (&fixture, TILL_DEMO_CASHIER_CODE);
    g_autoptr (GDateTime) until =
        g_date_time_new_from_unix_local (info->locked_until_us / G_USEC_PER_SEC);
    g_autofree char *hhmm = g_date_time_format (until, "%H:%M");

    ck_assert_int_ne (info->locked_until_us, 0);
    locked_text = g_strdup_printf (_ ("Locked until %s"), hhmm);
  }
  ck_assert_str_eq (till_users_view_get_state_text (fixture.view, TILL_DEMO_CASHIER_CODE),
                    locked_text);
  screenshot (&fixture, "users-06-locked.png");
  ck_assert_uint_gt (assert_touch_targets (GTK_WIDGET (fixture.view)), 3);

  view_activate (&fixture, "users.unlock", g_variant_new_string (TILL_DEMO_CASHIER_CODE));
  assert_message (&fixture, FALSE);
  ck_assert_str_eq (till_users_view_get_state_text (fixture.view, TILL_DEMO_CASHIER_CODE),
                    _ ("Active"));
  ck_assert_int_eq (count_journal (fixture.store, "\"unlock\""), 1);
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (TillUser) cashier = till_user_authenticate (fixture.store, TILL_DEMO_CASHIER_CODE,
                                                           TILL_DEMO_CASHIER_PIN, &error);

    ck_assert_msg (cashier != NULL, "%s", error ? error->message : "");
  }
  screenshot (&fixture, "users-07-unlocked.png");

  /* A new PIN for the supervisor, typed twice. */
  view_activate (&fixture, "users.select", g_variant_new_string ("2001"));
  view_activate (&fixture, "users.reset-pin", g_variant_new ("(ss)", "5555", "5555"));
  assert_message (&fixture, FALSE);
  {
    g_autoptr (TillUser) old_pin = till_user_authenticate (fixture.store, "2001", "2222", NULL);
    g_autoptr (TillUser) new_pin = till_user_authenticate (fixture.store, "2001", "5555", NULL);

    ck_assert_ptr_null (old_pin);
    ck_assert_ptr_nonnull (new_pin);
  }
  ck_assert_int_eq (count_journal (fixture.store, "\"pin\""), 1);

  /* Deactivated: listed as inactive, cannot sign in. */
  view_activate (&fixture, "users.deactivate", NULL);
  assert_message (&fixture, FALSE);
  ck_assert_str_eq (till_users_view_get_state_text (fixture.view, "2001"), _ ("Inactive"));
  {
    g_autoptr (TillUserInfo) info = info_of (&fixture, "2001");

    ck_assert (!info->active);
  }
  screenshot (&fixture, "users-08-deactivated.png");

  /* The manager cannot deactivate themselves, the only manager. */
  view_activate (&fixture, "users.select", g_variant_new_string (TILL_DEMO_MANAGER_CODE));
  view_activate (&fixture, "users.deactivate", NULL);
  assert_message (&fixture, TRUE);
  {
    g_autoptr (TillUserInfo) info = info_of (&fixture, TILL_DEMO_MANAGER_CODE);

    ck_assert (info->active);
  }
  screenshot (&fixture, "users-09-last-manager.png");

  view_activate (&fixture, "users.close", NULL);
  ck_assert_str_eq (till_window_get_page (fixture.window), "checkout");
  fixture_teardown (&fixture);
}
END_TEST

static Suite *
ui_users_suite (void)
{
  Suite *suite = suite_create ("/app/ui/users");
  TCase *tcase = tcase_create ("/app/ui/users");

  tcase_set_timeout (tcase, 150);
  tcase_add_test (tcase, test_refused);
  tcase_add_test (tcase, test_manage);
  suite_add_tcase (suite, tcase);
  return suite;
}

int
main (void)
{
  /* Before anything logs: GLib takes one writer per process. */
  g_log_set_writer_func (count_leftover_children_writer, NULL, NULL);
  return till_test_run_suite (ui_users_suite ());
}
