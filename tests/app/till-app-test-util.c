/* till-app-test-util.c: running the real till inside a UI suite
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "till-app-test-util.h"
#include "till-test-util.h"
#include "till-ui-test-util.h"

TillWindow *
till_test_start_till (const char       *app_id,
                      const char       *config_path,
                      gboolean          windowed,
                      TillApplication **out_app)
{
  TillApplication *app;
  TillWindow      *window;

  till_application_setup_i18n ("zh_CN");
  app = till_application_new (app_id != NULL ? app_id : "org.opentill.TillTest",
                              G_APPLICATION_NON_UNIQUE);
  g_object_set (app, "config-file", config_path, "windowed", windowed, NULL);
  ck_assert (g_application_register (G_APPLICATION (app), NULL, NULL));
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  g_application_activate (G_APPLICATION (app));

  window = TILL_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  ck_assert_ptr_nonnull (window);
  ck_assert_msg (till_test_wait_until (till_test_is_mapped, window, TILL_TEST_WAIT_MS),
                 "the window never mapped");
  *out_app = app;
  return window;
}

void
till_test_activate (TillWindow *window, const char *name, GVariant *parameter)
{
  g_autoptr (GVariant) owned = parameter != NULL ? g_variant_ref_sink (parameter) : NULL;

  ck_assert_msg (till_window_activate_action (window, name, owned),
                 "action %s is missing or disabled", name);
}

static gboolean
shows_checkout (gpointer data)
{
  return g_strcmp0 (till_window_get_page (data), "checkout") == 0;
}

void
till_test_sign_in (TillWindow *window, const char *code, const char *pin)
{
  TillShiftView *shift_view = till_window_get_shift_view (window);

  till_test_activate (window, "win.login", g_variant_new ("(ss)", code, pin));
  if (g_strcmp0 (till_window_get_page (window), "shift") == 0 &&
      g_strcmp0 (till_shift_view_get_page (shift_view), "open") == 0)
    {
      gint64 zero[TILL_N_DENOMINATIONS] = { 0 };

      till_test_activate (window, "win.shift-open",
                          g_variant_new_fixed_array (G_VARIANT_TYPE_INT64, zero,
                                                     TILL_N_DENOMINATIONS, sizeof (gint64)));
    }
  ck_assert_msg (till_test_wait_until (shows_checkout, window, TILL_TEST_WAIT_MS),
                 "%s signed in, but the till shows %s (shift page %s: %s)", code,
                 till_window_get_page (window), till_shift_view_get_page (shift_view),
                 till_shift_view_get_message (shift_view, NULL));
}
