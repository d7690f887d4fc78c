/* test-ui-promotion-editor.c: /app/ui/promotion-editor: the manager's
 * promotions screen in the real till under Xvfb, driven through its widgets
 * and actions: a cashier sees the list read-only; the manager creates a 满减
 * with two tiers, sees it listed, is refused (with the core's reason) when the
 * tiers go down, and deletes it after confirming.
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
#include "till-promotions-view.h"
#include "till-test-util.h"
#include "till-ui-test-util.h"
#include "till-window.h"

#define DEMO_SKUS 50
#define DEMO_SEED 7
#define CODE "P-UI-MJ"
#define NAME "满100减10 满200减25"

typedef struct
{
  char               *dir;
  char               *db_path;
  char               *config_path;
  TillApplication    *app;
  TillWindow         *window;
  TillSession        *session;
  TillStore          *store;
  TillPromotionsView *view;
} Fixture;

static GtkWidget *
find_view (GtkWidget *widget)
{
  if (TILL_IS_PROMOTIONS_VIEW (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_view (child);

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
  fixture->view = TILL_PROMOTIONS_VIEW (find_view (GTK_WIDGET (fixture->window)));
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
}

static void
sign_in (Fixture *fixture, const char *code, const char *pin)
{
  till_test_sign_in (fixture->window, code, pin);
}

/* Runs one of the screen's promotions.* actions as its button would. */
static void
view_activate (Fixture *fixture, const char *name, GVariant *parameter)
{
  g_autoptr (GVariant) owned = parameter != NULL ? g_variant_ref_sink (parameter) : NULL;

  ck_assert_msg (gtk_widget_activate_action_variant (GTK_WIDGET (fixture->view), name, owned),
                 "the promotions screen has no action %s", name);
}

static GtkWidget *
form_field (Fixture *fixture, const char *name)
{
  GtkWidget *widget = till_promotions_view_get_field (fixture->view, name);

  ck_assert_msg (widget != NULL, "no field %s", name);
  return widget;
}

/* Types into a form field as a finger on the keyboard would. */
static void
type_into (Fixture *fixture, const char *name, const char *text)
{
  GtkWidget *widget = form_field (fixture, name);

  ck_assert_msg (gtk_widget_is_visible (widget), "the field %s is hidden", name);
  gtk_editable_set_text (GTK_EDITABLE (widget), text);
}

static void
assert_message (Fixture *fixture, gboolean expect_error)
{
  gboolean    is_error = !expect_error;
  const char *message = till_promotions_view_get_message (fixture->view, &is_error);

  ck_assert_msg (*message != '\0', "no message on the screen");
  ck_assert_msg (is_error == expect_error, "expected %s, got: %s",
                 expect_error ? "an error" : "success", message);
}

/* Saves into test-output/ui-promotion-editor/. */
static void
screenshot (Fixture *fixture, const char *name)
{
  till_test_save_screenshot_in (GTK_WIDGET (fixture->window), "ui-promotion-editor", name);
}

/* Every button and entry a finger can reach on the screen now is at least
 * 48 px high. */
static guint
assert_touch_targets (GtkWidget *widget)
{
  guint checked = 0;

  if (!gtk_widget_get_mapped (widget))
    return 0;
  if (GTK_IS_BUTTON (widget) || GTK_IS_ENTRY (widget) || GTK_IS_DROP_DOWN (widget))
    {
      const char *label = GTK_IS_BUTTON (widget) ? gtk_button_get_label (GTK_BUTTON (widget))
                                                 : G_OBJECT_TYPE_NAME (widget);

      ck_assert_msg (gtk_widget_get_height (widget) >= 48, "“%s” is %d px high",
                     label != NULL ? label : "?", gtk_widget_get_height (widget));
      checked++;
      if (GTK_IS_DROP_DOWN (widget) || GTK_IS_ENTRY (widget))
        return checked; /* their inner parts are the same target */
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    checked += assert_touch_targets (child);
  return checked;
}

/* Nothing drawn is wider than the screen: a 1280 px window shows it all,
 * with the form scrolling down. */
static void
assert_fits (Fixture *fixture)
{
  int natural = 0;

  gtk_widget_measure (GTK_WIDGET (fixture->view), GTK_ORIENTATION_HORIZONTAL, -1, NULL, &natural,
                      NULL, NULL);
  ck_assert_int_le (gtk_widget_get_width (GTK_WIDGET (fixture->view)), 1280);
  ck_assert_msg (natural <= 1280, "the screen wants %d px", natural);
}

static gint64
count_rows (Fixture *fixture, const char *sql, const char *text)
{
  sqlite3_stmt *stmt = NULL;
  gint64        count;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (fixture->store), sql, -1, &stmt, NULL),
                    SQLITE_OK);
  if (text != NULL)
    sqlite3_bind_text (stmt, 1, text, -1, SQLITE_STATIC);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  count = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return count;
}

static gint64
stored_tier (Fixture *fixture, const char *path)
{
  g_autofree char *sql =
      g_strdup_printf ("SELECT json_extract (data, '%s') FROM promotion WHERE code = ?", path);

  return count_rows (fixture, sql, CODE);
}

/* The reason the core gives for @promotion, as the form should show it. */
static char *
core_refusal (const TillPromotion *promotion)
{
  g_autoptr (GError) error = NULL;

  ck_assert (!till_promotion_validate (promotion, &error));
  return g_strdup (error->message);
}

/* /app/ui/promotion-editor/read-only: a cashier sees the list, without the
 * means to change it; a change run directly is refused and saves nothing */
START_TEST (test_read_only)
{
  Fixture fixture = { 0 };
  gint64  before;

  fixture_setup (&fixture);
  sign_in (&fixture, TILL_DEMO_CASHIER_CODE, TILL_DEMO_CASHIER_PIN);
  till_test_activate (fixture.window, "win.promotions", NULL);
  ck_assert_str_eq (till_window_get_page (fixture.window), "promotions");
  ck_assert_str_eq (till_promotions_view_get_page (fixture.view), "list");
  ck_assert (till_promotions_view_get_read_only (fixture.view));

  before = count_rows (&fixture, "SELECT count(*) FROM promotion", NULL);
  view_activate (&fixture, "promotions.new", NULL);
  assert_message (&fixture, TRUE);
  ck_assert_str_eq (till_promotions_view_get_message (fixture.view, NULL),
                    _ ("Only a manager can change promotions"));
  ck_assert_str_eq (till_promotions_view_get_page (fixture.view), "list");
  view_activate (&fixture, "promotions.save", NULL);
  ck_assert_int_eq (count_rows (&fixture, "SELECT count(*) FROM promotion", NULL), before);
  screenshot (&fixture, "00-read-only.png");

  view_activate (&fixture, "promotions.close", NULL);
  ck_assert_str_eq (till_window_get_page (fixture.window), "checkout");
  fixture_teardown (&fixture);
}
END_TEST

/* /app/ui/promotion-editor/manage: the manager creates a 满减 with two tiers,
 * sees it in the list, makes the tiers go down and is refused with the core's
 * reason, then deletes it after confirming */
START_TEST (test_manage)
{
  Fixture          fixture = { 0 };
  g_autofree char *row = NULL;
  g_autofree char *expected_reason = NULL;
  guint            n_rows_before;

  fixture_setup (&fixture);
  sign_in (&fixture, TILL_DEMO_MANAGER_CODE, TILL_DEMO_MANAGER_PIN);
  till_test_activate (fixture.window, "win.promotions", NULL);
  ck_assert_str_eq (till_window_get_page (fixture.window), "promotions");
  ck_assert (!till_promotions_view_get_read_only (fixture.view));
  n_rows_before = till_promotions_view_get_n_rows (fixture.view);
  ck_assert_ptr_null (till_promotions_view_dup_row_text (fixture.view, CODE, FALSE));

  /* A new 满减 with two tiers, typed into the form. */
  view_activate (&fixture, "promotions.new", NULL);
  ck_assert_str_eq (till_promotions_view_get_page (fixture.view), "form");
  ck_assert_uint_eq (gtk_drop_down_get_selected (GTK_DROP_DOWN (form_field (&fixture, "kind"))),
                     TILL_PROMOTION_THRESHOLD);
  /* Only the kind's figures show: tiers, not a percentage or a gift. */
  ck_assert (gtk_widget_is_visible (form_field (&fixture, "tier-min:0")));
  ck_assert (!gtk_widget_is_visible (form_field (&fixture, "percent")));
  ck_assert (!gtk_widget_is_visible (form_field (&fixture, "gift-sku")));
  ck_assert (!gtk_widget_is_visible (form_field (&fixture, "skus")));
  type_into (&fixture, "code", CODE);
  type_into (&fixture, "name", NAME);
  type_into (&fixture, "tier-min:0", "100");
  type_into (&fixture, "tier-off:0", "10");
  view_activate (&fixture, "promotions.add-tier", NULL);
  type_into (&fixture, "tier-min:1", "200.00");
  type_into (&fixture, "tier-off:1", "25.5");
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (form_field (&fixture, "weekday:6")), TRUE);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (form_field (&fixture, "weekday:7")), TRUE);
  type_into (&fixture, "excluded", "香烟001，香烟002");
  /* The form scrolls to the field in focus: show the tiers. */
  gtk_widget_grab_focus (form_field (&fixture, "tier-off:1"));
  screenshot (&fixture, "02-form-threshold.png");
  ck_assert_uint_gt (assert_touch_targets (GTK_WIDGET (fixture.view)), 10);
  assert_fits (&fixture);

  /* Another kind shows its own figures, and back. */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (form_field (&fixture, "kind")),
                              TILL_PROMOTION_NTH_ITEM);
  ck_assert (gtk_widget_is_visible (form_field (&fixture, "nth")));
  ck_assert (gtk_widget_is_visible (form_field (&fixture, "percent")));
  ck_assert (!gtk_widget_is_visible (form_field (&fixture, "tier-min:0")));
  gtk_drop_down_set_selected (GTK_DROP_DOWN (form_field (&fixture, "kind")),
                              TILL_PROMOTION_THRESHOLD);

  view_activate (&fixture, "promotions.save", NULL);
  assert_message (&fixture, FALSE);
  ck_assert_str_eq (till_promotions_view_get_page (fixture.view), "list");
  ck_assert_int_eq (count_rows (&fixture, "SELECT count(*) FROM promotion WHERE code = ?", CODE),
                    1);
  ck_assert_int_eq (stored_tier (&fixture, "$.tiers[0].min_amount"), 10000);
  ck_assert_int_eq (stored_tier (&fixture, "$.tiers[0].amount_off"), 1000);
  ck_assert_int_eq (stored_tier (&fixture, "$.tiers[1].min_amount"), 20000);
  ck_assert_int_eq (stored_tier (&fixture, "$.tiers[1].amount_off"), 2550);
  /* Saturday and Sunday: weekdays 6 and 7. */
  ck_assert_int_eq (count_rows (&fixture,
                                "SELECT json_extract (data, '$.weekdays') = json ('[6,7]') "
                                "FROM promotion WHERE code = ?",
                                CODE),
                    1);
  ck_assert_int_eq (count_rows (&fixture,
                                "SELECT json_array_length (data, '$.excluded_skus') FROM promotion "
                                "WHERE code = ?",
                                CODE),
                    2);
  /* The journal names the manager. */
  ck_assert_int_eq (count_rows (&fixture,
                                "SELECT count(*) FROM journal WHERE kind = 'promotion' AND "
                                "json_extract (CAST (body AS TEXT), '$.user_code') = ?",
                                TILL_DEMO_MANAGER_CODE),
                    1);

  /* Listed, with its kind in words, both tiers and the store's badge. */
  ck_assert_uint_eq (till_promotions_view_get_n_rows (fixture.view), n_rows_before + 1);
  row = till_promotions_view_dup_row_text (fixture.view, CODE, FALSE);
  ck_assert_ptr_nonnull (row);
  ck_assert_msg (strstr (row, NAME) != NULL, "%s", row);
  ck_assert_msg (strstr (row, till_promotion_kind_get_label (TILL_PROMOTION_THRESHOLD)) != NULL,
                 "%s", row);
  ck_assert_msg (strstr (row, "￥200.00") != NULL && strstr (row, "￥25.50") != NULL, "%s", row);
  ck_assert_msg (strstr (row, _ ("This store")) != NULL, "%s", row);
  ck_assert_msg (strstr (row, _ ("Active now")) != NULL || strstr (row, _ ("Not active now")), "%s",
                 row);
  screenshot (&fixture, "01-list.png");
  ck_assert_uint_gt (assert_touch_targets (GTK_WIDGET (fixture.view)), 3);

  /* Edit: the second tier now asks less than the first. The core refuses,
   * the form stays open with its reason, and nothing changes. */
  view_activate (&fixture, "promotions.edit", g_variant_new_string (CODE));
  ck_assert_str_eq (till_promotions_view_get_page (fixture.view), "form");
  ck_assert_str_eq (gtk_editable_get_text (GTK_EDITABLE (form_field (&fixture, "tier-min:1"))),
                    "200.00");
  ck_assert (!gtk_widget_get_sensitive (form_field (&fixture, "code")));
  type_into (&fixture, "tier-min:1", "50");
  type_into (&fixture, "tier-off:1", "5");
  view_activate (&fixture, "promotions.save", NULL);
  assert_message (&fixture, TRUE);
  {
    g_autoptr (TillPromotion) descending =
        till_promotion_new (CODE, NAME, TILL_PROMOTION_THRESHOLD);
    TillPromotionTier tiers[] = { { 10000, 1000 }, { 5000, 500 } };

    g_array_append_vals (descending->tiers, tiers, G_N_ELEMENTS (tiers));
    expected_reason = core_refusal (descending);
  }
  ck_assert_str_eq (till_promotions_view_get_message (fixture.view, NULL), expected_reason);
  ck_assert_str_eq (till_promotions_view_get_page (fixture.view), "form");
  ck_assert_int_eq (stored_tier (&fixture, "$.tiers[1].min_amount"), 20000);
  screenshot (&fixture, "03-refused.png");

  /* A typing slip is refused before the core sees it. */
  type_into (&fixture, "tier-min:1", "二百");
  view_activate (&fixture, "promotions.save", NULL);
  assert_message (&fixture, TRUE);
  ck_assert_msg (strstr (till_promotions_view_get_message (fixture.view, NULL), "二百") != NULL,
                 "%s", till_promotions_view_get_message (fixture.view, NULL));

  /* Removing the bad tier makes it a valid one-tier promotion again. */
  view_activate (&fixture, "promotions.remove-tier", g_variant_new_uint32 (1));
  ck_assert_ptr_null (till_promotions_view_get_field (fixture.view, "tier-min:1"));
  view_activate (&fixture, "promotions.cancel", NULL);
  ck_assert_str_eq (till_promotions_view_get_page (fixture.view), "list");
  ck_assert_int_eq (stored_tier (&fixture, "$.tiers[1].min_amount"), 20000);

  /* Delete asks first; keeping it changes nothing. */
  view_activate (&fixture, "promotions.delete", g_variant_new_string (CODE));
  screenshot (&fixture, "04-confirm-delete.png");
  view_activate (&fixture, "promotions.cancel-delete", NULL);
  view_activate (&fixture, "promotions.confirm-delete", NULL);
  ck_assert_int_eq (count_rows (&fixture, "SELECT count(*) FROM promotion WHERE code = ?", CODE),
                    1);
  view_activate (&fixture, "promotions.delete", g_variant_new_string (CODE));
  view_activate (&fixture, "promotions.confirm-delete", NULL);
  assert_message (&fixture, FALSE);
  ck_assert_int_eq (count_rows (&fixture, "SELECT count(*) FROM promotion WHERE code = ?", CODE),
                    0);
  ck_assert_ptr_null (till_promotions_view_dup_row_text (fixture.view, CODE, FALSE));
  ck_assert_uint_eq (till_promotions_view_get_n_rows (fixture.view), n_rows_before);
  ck_assert_int_eq (count_rows (&fixture,
                                "SELECT count(*) FROM journal WHERE kind = 'promotion' AND "
                                "json_extract (CAST (body AS TEXT), '$.action') = ?",
                                "delete"),
                    1);

  view_activate (&fixture, "promotions.close", NULL);
  ck_assert_str_eq (till_window_get_page (fixture.window), "checkout");
  fixture_teardown (&fixture);
}
END_TEST

static Suite *
ui_promotion_editor_suite (void)
{
  Suite *suite = suite_create ("/app/ui/promotion-editor");
  TCase *tcase = tcase_create ("/app/ui/promotion-editor");

  tcase_set_timeout (tcase, 150);
  tcase_add_test (tcase, test_read_only);
  tcase_add_test (tcase, test_manage);
  suite_add_tcase (suite, tcase);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (ui_promotion_editor_suite ());
}
