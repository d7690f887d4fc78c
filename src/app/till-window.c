/* till-window.c: the till's one window: top bar and the screens
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-app"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "till-application.h"
#include "till-receipt.h"
#include "till-device-settings-view.h"
#include "till-devices.h"
#include "till-printer-monitor.h"
#include "till-promotions-view.h"
#include "till-products-view.h"
#include "till-reports-view.h"
#include "till-stock-view.h"
#include "till-return-view.h"
#include "till-scan-detector.h"
#include "till-shift-view.h"
#include "till-sync-status.h"
#include "till-sync-view.h"
#include "till-ui-util.h"
#include "till-users-view.h"
#include "till-window.h"

struct _TillWindow
{
  AdwApplicationWindow parent_instance;

  /* template children */
  GtkWidget              *main_stack;
  GtkWidget              *error_page;
  GtkWidget              *page_stack;
  GtkWidget              *store_label;
  GtkWidget              *clock_label;
  GtkWidget              *cashier_label;
  GtkWidget              *logout_button;
  GtkWidget              *printer_button;
  GtkWidget              *printer_label;
  GtkWidget              *reprint_button;
  GtkWidget              *settings_button;
  GtkWidget              *device_button;
  GtkWidget              *device_label;
  GtkWidget              *functions_button;
  GtkWidget              *stock_alert_button;
  TillLoginView          *login_view;
  TillCheckoutView       *checkout_view;
  TillPaymentView        *payment_view;
  TillDeviceSettingsView *device_settings_view;
  TillReturnView         *return_view;
  TillUsersView          *users_view;
  TillPromotionsView     *promotions_view;
  TillProductsView       *products_view;
  TillStockView          *stock_view;
  TillReportsView        *reports_view;
  TillShiftView          *shift_view;
  TillSyncView           *sync_view;
  TillSyncStatusButton   *sync_status;
  GtkWidget              *limit_revealer;
  GtkWidget              *limit_label;

  TillSession        *session;
  TillScanDetector   *scan_detector;
  guint               clock_source;
  TillPrinterMonitor *printer_monitor;
  TillDevices        *devices;
  gint64              receipt_job; /* the job of the sale on the payment screen, 0 when none */
  gboolean            watching_app_devices;
  /* The screen lock: who had the till when it locked (the sale in progress is
   * theirs), and when anyone last touched it. */
  char  *holder_code;
  gint64 last_activity_us;
  guint  idle_source;
};

G_DEFINE_FINAL_TYPE (TillWindow, till_window, ADW_TYPE_APPLICATION_WINDOW)

enum
{
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Device settings are a manager's (or admin's) business. A supervisor override
 * for the others comes with the permissions issue. */
static gboolean
may_change_devices (TillWindow *self)
{
  TillUser *user = self->session != NULL ? till_session_get_user (self->session) : NULL;

  if (user == NULL)
    return FALSE;
  return till_user_get_role (user) == TILL_ROLE_MANAGER ||
         till_user_get_role (user) == TILL_ROLE_ADMIN;
}

/* The function menu's acts: each needs a signed-in user; the core checks the
 * rest (permissions, overrides) when the act is done. */
static const char *const signed_in_actions[] = { "returns",  "return-receipt", "users",
                                                 "no-sale",  "recall",         "promotions",
                                                 "products", "stock",          "reports" };

/* The home screen's stock alert: how many products are below or above their
 * limits, read again each time the sale screen shows (after every sale). */
static void
update_stock_alert (TillWindow *self, gboolean show)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  guint            low = 0, over = 0;

  if (show &&
      !till_stock_count_alerts (till_session_get_store (self->session), &low, &over, &error))
    g_warning ("Cannot count the stock alerts: %s", error->message);
  if (low + over == 0)
    {
      gtk_widget_set_visible (self->stock_alert_button, FALSE);
      return;
    }
  if (over == 0)
    text = g_strdup_printf (_ ("Low stock: %u"), low);
  else if (low == 0)
    text = g_strdup_printf (_ ("Overstock: %u"), over);
  else
    text = g_strdup_printf (_ ("Low stock: %1$u · over: %2$u"), low, over);
  gtk_button_set_label (GTK_BUTTON (self->stock_alert_button), text);
  gtk_widget_set_visible (self->stock_alert_button, TRUE);
}

static void
show_page (TillWindow *self, const char *name)
{
  gboolean signed_in = self->session != NULL && till_session_get_user (self->session) != NULL;
  gboolean may_set_devices = may_change_devices (self);

  gtk_stack_set_visible_child_name (GTK_STACK (self->page_stack), name);
  gtk_widget_set_visible (self->logout_button, g_str_equal (name, "checkout") && signed_in);
  gtk_widget_set_visible (self->reprint_button, self->printer_monitor != NULL &&
                                                    till_printer_monitor_get_printer_uri (
                                                        self->printer_monitor) != NULL &&
                                                    !g_str_equal (name, "login") && signed_in);
  g_simple_action_set_enabled (
      G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self), "reprint-last")),
      signed_in);
  g_simple_action_set_enabled (
      G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self), "device-settings")),
      may_set_devices);
  gtk_widget_set_visible (self->settings_button, may_set_devices && g_str_equal (name, "checkout"));
  gtk_widget_set_visible (self->functions_button, g_str_equal (name, "checkout") && signed_in);
  update_stock_alert (self, g_str_equal (name, "checkout") && signed_in);
  for (guint i = 0; i < G_N_ELEMENTS (signed_in_actions); i++)
    g_simple_action_set_enabled (
        G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self), signed_in_actions[i])),
        signed_in);
  /* The offline-limit banner belongs to the sale screen, where it matters. */
  gtk_revealer_set_reveal_child (GTK_REVEALER (self->limit_revealer),
                                 g_str_equal (name, "checkout") &&
                                     *gtk_label_get_text (GTK_LABEL (self->limit_label)) != '\0');
  if (g_str_equal (name, "checkout"))
    till_checkout_view_focus_keypad (self->checkout_view);
}

static gboolean
update_clock_cb (gpointer user_data)
{
  TillWindow *self = user_data;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *text = g_date_time_format (now, "%Y-%m-%d  %H:%M");

  gtk_label_set_text (GTK_LABEL (self->clock_label), text);
  return G_SOURCE_CONTINUE;
}

static void
user_changed_cb (TillWindow *self)
{
  TillUser *user = till_session_get_user (self->session);

  if (user != NULL)
    {
      g_autofree char *text = g_strdup_printf (_ ("Cashier: %s"), till_user_get_name (user));
      gtk_label_set_text (GTK_LABEL (self->cashier_label), text);
      /* No sale before the cashier's own shift is open: the shift page
       * opens one, or says whose it is, or resumes a close. */
      show_page (self, till_shift_view_route (self->shift_view) ? "checkout" : "shift");
    }
  else
    {
      gtk_label_set_text (GTK_LABEL (self->cashier_label), "");
      till_login_view_reset (self->login_view);
      if (self->devices != NULL)
        till_devices_show_welcome (self->devices);
      show_page (self, "login");
    }
}

/* Whether @user may take the till as it is: anyone when no sale is in
 * progress; otherwise the cashier whose sale it is, or someone who may void a
 * sale (a supervisor), so that nobody walks off with another's open sale. */
static gboolean
may_take_over (TillWindow *self, TillUser *user)
{
  if (till_cart_get_n_lines (till_session_get_cart (self->session)) == 0 ||
      self->holder_code == NULL || g_str_equal (self->holder_code, till_user_get_code (user)))
    return TRUE;
  return till_permission_role_has (till_session_get_store (self->session),
                                   till_user_get_role (user), TILL_PERMISSION_VOID_SALE);
}

static void
sign_in (TillWindow *self, TillUser *user)
{
  if (!may_take_over (self, user))
    {
      g_autofree char *message = g_strdup_printf (
          _ ("Cashier %s has a sale open: only they or a supervisor may sign in now."),
          self->holder_code);

      till_login_view_show_error (self->login_view, message);
      return;
    }
  g_free (self->holder_code);
  self->holder_code = g_strdup (till_user_get_code (user));
  self->last_activity_us = g_get_monotonic_time ();
  till_login_view_reset (self->login_view);
  till_session_set_user (self->session, user);
}

/* Locks the screen: back to sign-in, the sale in progress kept for its cashier. */
static void
lock (TillWindow *self)
{
  if (self->session != NULL && till_session_get_user (self->session) != NULL)
    till_session_set_user (self->session, NULL);
}

static void
login_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  TillWindow *self = user_data;
  const char *code = NULL;
  const char *pin = NULL;
  g_autoptr (TillUser) user = NULL;
  g_autoptr (GError) error = NULL;

  if (self->session == NULL)
    return;
  g_variant_get (parameter, "(&s&s)", &code, &pin);
  user = till_user_authenticate (till_session_get_store (self->session), code, pin, &error);
  if (user == NULL)
    {
      const char *message = error->message;

      if (g_error_matches (error, TILL_USER_ERROR, TILL_USER_ERROR_BAD_PIN))
        message = _ ("Wrong PIN. Please try again.");
      else if (g_error_matches (error, TILL_USER_ERROR, TILL_USER_ERROR_NO_USER))
        message = _ ("There is no active cashier with that code.");
      till_login_view_show_error (self->login_view, message);
      return;
    }
  sign_in (self, user);
}

/* A badge scanned on the sign-in screen signs its holder in. */
static void
login_badge_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  TillWindow *self = user_data;
  g_autoptr (TillUser) user = NULL;
  g_autoptr (GError) error = NULL;

  if (self->session == NULL)
    return;
  user = till_user_authenticate_badge (till_session_get_store (self->session),
                                       g_variant_get_string (parameter, NULL), &error);
  if (user == NULL)
    {
      const char *message = error->message;

      if (g_error_matches (error, TILL_USER_ERROR, TILL_USER_ERROR_BAD_BADGE))
        message = _ ("This badge is not known: sign in with your PIN.");
      till_login_view_show_error (self->login_view, message);
      return;
    }
  sign_in (self, user);
}

static void
logout_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  lock (user_data);
}

/* Reprints the last sale's receipt, marked as a copy. */
static void
reprint_last_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  TillWindow *self = user_data;
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *receipt_no = NULL;
  g_autofree char *message = NULL;

  if (self->session == NULL || self->printer_monitor == NULL ||
      till_session_get_user (self->session) == NULL)
    return;
  /* A user without the right goes to the receipts dialog, where a supervisor
   * can approve the reprint. */
  if (!till_permission_approve (till_session_get_store (self->session), NULL,
                                till_session_get_user (self->session), TILL_PERMISSION_REPRINT, 0,
                                NULL, &error))
    {
      till_ui_toast (GTK_WIDGET (self), error->message);
      if (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED))
        gtk_widget_activate_action (GTK_WIDGET (self->checkout_view), "sale.recall", NULL);
      return;
    }
  sale = till_sale_load_last (till_session_get_store (self->session), &error);
  if (sale == NULL)
    {
      till_ui_toast (GTK_WIDGET (self),
                     g_error_matches (error, TILL_SALE_ERROR, TILL_SALE_ERROR_NOT_FOUND)
                         ? _ ("There is no receipt to reprint yet.")
                         : error->message);
      return;
    }
  receipt_no = till_sale_format_receipt_no (sale);
  if (!till_printer_monitor_queue_copy (self->printer_monitor, sale, NULL, &error))
    {
      message =
          g_strdup_printf (_ ("Receipt %s cannot be reprinted: %s"), receipt_no, error->message);
      g_warning ("%s", message);
      till_ui_toast (GTK_WIDGET (self), message);
      return;
    }
  message = g_strdup_printf (_ ("Reprinting receipt %s as a copy."), receipt_no);
  till_ui_toast (GTK_WIDGET (self), message);
}

static void
print_retry_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  TillWindow *self = user_data;

  if (self->printer_monitor != NULL)
    till_printer_monitor_retry (self->printer_monitor);
}

static void
devices_retry_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  TillWindow *self = user_data;

  if (self->devices != NULL)
    till_devices_retry (self->devices);
}

static void
device_settings_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  TillWindow *self = user_data;

  if (!may_change_devices (self))
    return;
  till_device_settings_view_reset (self->device_settings_view);
  show_page (self, "devices");
}

static void
returns_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  TillWindow *self = user_data;

  gtk_menu_button_popdown (GTK_MENU_BUTTON (self->functions_button));
  till_return_view_reset (self->return_view);
  show_page (self, "returns");
}

/* A scanned receipt QR (or a typed receipt number) opens its sale on the
 * returns screen. */
static void
return_receipt_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  TillWindow *self = user_data;

  till_return_view_reset (self->return_view);
  show_page (self, "returns");
  till_return_view_find_receipt (self->return_view, g_variant_get_string (parameter, NULL));
}

static void
users_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  TillWindow *self = user_data;

  gtk_menu_button_popdown (GTK_MENU_BUTTON (self->functions_button));
  till_users_view_reset (self->users_view);
  show_page (self, "users");
}

static void
promotions_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  TillWindow *self = user_data;

  gtk_menu_button_popdown (GTK_MENU_BUTTON (self->functions_button));
  till_promotions_view_reset (self->promotions_view);
  show_page (self, "promotions");
}

static void
products_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  TillWindow *self = user_data;

  gtk_menu_button_popdown (GTK_MENU_BUTTON (self->functions_button));
  till_products_view_reset (self->products_view);
  show_page (self, "products");
}

static void
stock_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  TillWindow *self = user_data;

  gtk_menu_button_popdown (GTK_MENU_BUTTON (self->functions_button));
  till_stock_view_reset (self->stock_view);
  show_page (self, "stock");
}

static void
stock_alerts_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  TillWindow *self = user_data;

  till_stock_view_show_alerts (self->stock_view);
  show_page (self, "stock");
}

static void
reports_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  TillWindow *self = user_data;

  gtk_menu_button_popdown (GTK_MENU_BUTTON (self->functions_button));
  till_reports_view_reset (self->reports_view);
  show_page (self, "reports");
}

/* The drawer and the receipt history live with the sale screen, which owns the
 * override dialog: the menu hands the act over. */
static void
checkout_act_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  TillWindow      *self = user_data;
  g_autofree char *name = g_strconcat ("sale.", g_action_get_name (G_ACTION (action)), NULL);

  gtk_menu_button_popdown (GTK_MENU_BUTTON (self->functions_button));
  if (!gtk_widget_activate_action_variant (GTK_WIDGET (self->checkout_view), name, NULL))
    g_warning ("The sale screen has no action %s", name);
}

static void
sync_details_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  TillWindow *self = user_data;

  if (self->session == NULL)
    return;
  till_sync_view_refresh (self->sync_view);
  show_page (self, "sync");
}

static void
shift_present_cb (TillWindow *self)
{
  gtk_menu_button_popdown (GTK_MENU_BUTTON (self->functions_button));
  show_page (self, "shift");
}

static void
view_closed_cb (TillWindow *self)
{
  show_page (self, till_session_get_user (self->session) != NULL ? "checkout" : "login");
}

static const GActionEntry win_actions[] = {
  { "login", login_action_cb, "(ss)", NULL, NULL, { 0 } },
  { "login-badge", login_badge_action_cb, "s", NULL, NULL, { 0 } },
  { "logout", logout_action_cb, NULL, NULL, NULL, { 0 } },
  { "reprint-last", reprint_last_action_cb, NULL, NULL, NULL, { 0 } },
  { "print-retry", print_retry_action_cb, NULL, NULL, NULL, { 0 } },
  { "devices-retry", devices_retry_action_cb, NULL, NULL, NULL, { 0 } },
  { "device-settings", device_settings_action_cb, NULL, NULL, NULL, { 0 } },
  { "returns", returns_action_cb, NULL, NULL, NULL, { 0 } },
  { "return-receipt", return_receipt_action_cb, "s", NULL, NULL, { 0 } },
  { "users", users_action_cb, NULL, NULL, NULL, { 0 } },
  { "promotions", promotions_action_cb, NULL, NULL, NULL, { 0 } },
  { "products", products_action_cb, NULL, NULL, NULL, { 0 } },
  { "stock", stock_action_cb, NULL, NULL, NULL, { 0 } },
  { "stock-alerts", stock_alerts_action_cb, NULL, NULL, NULL, { 0 } },
  { "reports", reports_action_cb, NULL, NULL, NULL, { 0 } },
  { "no-sale", checkout_act_action_cb, NULL, NULL, NULL, { 0 } },
  { "recall", checkout_act_action_cb, NULL, NULL, NULL, { 0 } },
  { "sync-details", sync_details_action_cb, NULL, NULL, NULL, { 0 } },
};

static void
pay_requested_cb (TillWindow *self)
{
  till_payment_view_begin (self->payment_view);
  show_page (self, "payment");
  if (self->devices != NULL && self->session != NULL)
    till_devices_show_total (self->devices,
                             till_cart_get_total (till_session_get_cart (self->session)));
}

static void
payment_cancelled_cb (TillWindow *self)
{
  show_page (self, "checkout");
}

static void
payment_finished_cb (TillWindow *self)
{
  till_checkout_view_show_message (self->checkout_view, _ ("Ready for the next customer."));
  show_page (self, "checkout");
  if (self->devices != NULL)
    till_devices_show_next_customer (self->devices);
}

/* The top bar's printer indicator and, while a sale's receipt waits, the line
 * under the change: what the printer is doing, and why not when it cannot. */
static void
printer_status_changed_cb (TillWindow *self)
{
  TillPrinterMonitor *monitor = self->printer_monitor;
  TillPrinterState    state = till_printer_monitor_get_state (monitor);
  const char         *message = till_printer_monitor_get_message (monitor);
  guint               n_pending = till_printer_monitor_get_n_pending (monitor);
  g_autofree char    *text = NULL;

  switch (state)
    {
    case TILL_PRINTER_STATE_NONE:
      break;
    case TILL_PRINTER_STATE_READY:
      /* A warning such as paper running low: printing goes on. */
      text = g_strdup (message != NULL ? message : _ ("Printer ready"));
      break;
    case TILL_PRINTER_STATE_PRINTING:
      text = message != NULL ? g_strdup_printf (_ ("Printing… (%s)"), message)
                             : g_strdup (_ ("Printing…"));
      break;
    case TILL_PRINTER_STATE_TROUBLE:
      text = n_pending > 0 ? g_strdup_printf (_ ("%s · %u waiting · Retry"), message, n_pending)
                           : g_strdup_printf (_ ("%s · Retry"), message);
      break;
    default:
      g_assert_not_reached ();
    }
  gtk_widget_set_visible (self->printer_button, text != NULL);
  gtk_label_set_text (GTK_LABEL (self->printer_label), text != NULL ? text : "");
  gtk_widget_set_tooltip_text (self->printer_button, message);
  if (state == TILL_PRINTER_STATE_TROUBLE)
    gtk_widget_add_css_class (self->printer_button, "printer-trouble");
  else
    gtk_widget_remove_css_class (self->printer_button, "printer-trouble");

  /* The sale is recorded whatever happens to the paper: say why the receipt
   * waits, and keep going. */
  if (self->receipt_job != 0 && state == TILL_PRINTER_STATE_TROUBLE)
    till_payment_view_set_print_status (self->payment_view, message, TRUE);
}

static void
job_done_cb (TillWindow *self, gint64 job_id)
{
  if (job_id != 0 && job_id == self->receipt_job)
    {
      self->receipt_job = 0;
      till_payment_view_set_print_status (self->payment_view, _ ("Receipt printed."), FALSE);
    }
}

static void
sale_completed_cb (TillWindow *self, TillSale *sale, TillPaymentView *view)
{
  g_autoptr (GError) error = NULL;
  TillUser *cashier = till_session_get_user (self->session);
  gboolean  has_cash = FALSE;

  /* pay.* may come from outside (D-Bus) while the sale screen shows: the change
   * must be on screen all the same. */
  show_page (self, "payment");
  till_session_checkpoint_when_idle (self->session);
  self->receipt_job = 0;
  if (self->devices != NULL)
    till_devices_show_sale_done (self->devices, till_sale_get_total (sale),
                                 till_sale_get_tendered (sale), till_sale_get_change (sale));
  if (self->printer_monitor == NULL)
    return;

  /* The sale is durable now; the receipt (and for cash, the drawer pulse and its
   * record) are queued in a transaction of their own. Only a sale with cash in
   * it opens the drawer. */
  for (guint i = 0; i < till_sale_get_n_payments (sale); i++)
    has_cash |= till_sale_get_payment (sale, i)->kind == TILL_TENDER_KIND_CASH;
  if (!till_printer_monitor_queue_sale (self->printer_monitor, sale, has_cash,
                                        cashier != NULL ? till_user_get_code (cashier) : NULL,
                                        &self->receipt_job, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        {
          /* No printer configured: nothing to report but the fact. */
          till_payment_view_set_print_status (self->payment_view, error->message, FALSE);
          return;
        }
      {
        g_autofree char *message = g_strdup_printf (_ ("Receipt not printed: %s"), error->message);
        g_warning ("%s", message);
        till_payment_view_set_print_status (self->payment_view, message, TRUE);
        till_ui_toast (GTK_WIDGET (self->payment_view), message);
      }
      return;
    }
  printer_status_changed_cb (self);
}

/* The scanner's characters were let through to the focused entry until the
 * suffix showed they were a scan: take them out again. */
static void
remove_from_focused_entry (TillWindow *self, guint typed_length)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  int        position;

  if (typed_length == 0 || focus == NULL || !GTK_IS_EDITABLE (focus))
    return;
  position = gtk_editable_get_position (GTK_EDITABLE (focus));
  gtk_editable_delete_text (GTK_EDITABLE (focus), MAX (0, position - (int) typed_length), position);
}

/* A code from any scanner (keyboard wedge, serial, camera) goes to the sale
 * (or the returns screen) only while it shows with a cashier signed in: a
 * stray scan must not land anywhere else. */
static gboolean
take_scanned_code (TillWindow *self, const char *code, gboolean typed)
{
  /* On the sign-in screen a scan is a badge. Its digits reached the PIN. */
  if (self->session != NULL && till_session_get_user (self->session) == NULL &&
      g_str_equal (till_window_get_page (self), "login"))
    {
      till_login_view_reset (self->login_view);
      g_action_group_activate_action (G_ACTION_GROUP (self), "login-badge",
                                      g_variant_new_string (code));
      return TRUE;
    }
  /* On the returns screen a scan is a receipt or the product coming back. */
  if (self->session != NULL && till_session_get_user (self->session) != NULL &&
      g_str_equal (till_window_get_page (self), "returns"))
    {
      till_return_view_take_scan (self->return_view, code);
      return TRUE;
    }
  /* On the payment screen a scan is the customer's payment code (or a
   * stored-value card or voucher). */
  if (self->session != NULL && till_session_get_user (self->session) != NULL &&
      g_str_equal (till_window_get_page (self), "payment"))
    {
      till_payment_view_take_scan (self->payment_view, code);
      return TRUE;
    }
  /* In the back office a scan finds, counts or receives the product. */
  if (self->session != NULL && till_session_get_user (self->session) != NULL &&
      g_str_equal (till_window_get_page (self), "products"))
    {
      till_products_view_take_scan (self->products_view, code);
      return TRUE;
    }
  if (self->session != NULL && till_session_get_user (self->session) != NULL &&
      g_str_equal (till_window_get_page (self), "stock"))
    {
      till_stock_view_take_scan (self->stock_view, code);
      return TRUE;
    }
  if (self->session == NULL || till_session_get_user (self->session) == NULL ||
      !g_str_equal (till_window_get_page (self), "checkout"))
    {
      g_message ("Scan %s ignored: the sale screen is not shown", code);
      return FALSE;
    }
  /* A wedge scanner's digits may have reached the keypad; a serial or camera
   * code never did. */
  if (g_str_has_prefix (code, TILL_RECEIPT_QR_PREFIX "|"))
    {
      /* A receipt's QR: the customer brings goods back. */
      if (typed)
        till_checkout_view_drop_typed_scan (self->checkout_view, code);
      g_action_group_activate_action (G_ACTION_GROUP (self), "return-receipt",
                                      g_variant_new_string (code));
      return TRUE;
    }
  if (typed)
    till_checkout_view_take_scan (self->checkout_view, code);
  else
    gtk_widget_activate_action (GTK_WIDGET (self->checkout_view), "sale.scan", "s", code);
  return TRUE;
}

static void
device_code_scanned_cb (TillWindow *self, const char *code)
{
  till_window_take_scan (self, code);
}

static gboolean
scan_key_pressed_cb (GtkEventControllerKey *controller,
                     guint                  keyval,
                     guint                  keycode,
                     GdkModifierType        state,
                     TillWindow            *self)
{
  GdkEvent *event = gtk_event_controller_get_current_event (GTK_EVENT_CONTROLLER (controller));
  guint32 time_ms = gtk_event_controller_get_current_event_time (GTK_EVENT_CONTROLLER (controller));
  gunichar         character;
  TillScanAction   action;
  g_autofree char *code = NULL;

  /* Scanners send Shift for capitals: it neither belongs to nor ends a scan. */
  if (event != NULL && gdk_key_event_is_modifier (event))
    return FALSE;

  character = gdk_keyval_to_unicode (keyval);
  if (keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter || keyval == GDK_KEY_ISO_Enter)
    action = till_scan_detector_feed_enter (self->scan_detector, time_ms);
  else if (keyval == GDK_KEY_Tab || keyval == GDK_KEY_ISO_Left_Tab || keyval == GDK_KEY_KP_Tab)
    action = till_scan_detector_feed_tab (self->scan_detector, time_ms);
  else if (character != 0 && g_unichar_isprint (character) &&
           !(state & (GDK_CONTROL_MASK | GDK_ALT_MASK)))
    action = till_scan_detector_feed_char (self->scan_detector, character, time_ms);
  else
    {
      till_scan_detector_feed_other (self->scan_detector, time_ms);
      return FALSE;
    }
  if (action != TILL_SCAN_COMPLETE)
    return FALSE;

  code = till_scan_detector_take_code (self->scan_detector);
  remove_from_focused_entry (self, till_scan_detector_get_typed_length (self->scan_detector));
  take_scanned_code (self, code, TRUE);
  return TRUE;
}

/* The top bar's device indicator: the first device in trouble, tap to retry. */
static void
devices_status_changed_cb (TillWindow *self)
{
  const char      *message = till_devices_get_message (self->devices);
  g_autofree char *text = message != NULL ? g_strdup_printf (_ ("%s · Retry"), message) : NULL;

  gtk_widget_set_visible (self->device_button, message != NULL);
  gtk_label_set_text (GTK_LABEL (self->device_label), text != NULL ? text : "");
  gtk_widget_set_tooltip_text (self->device_button, message);
}

/* The pole display follows the cart: the line just added or changed. */
static void
cart_items_changed_cb (
    TillWindow *self, guint position, guint removed, guint added, GListModel *model)
{
  TillCart *cart = TILL_CART (model);

  if (self->devices == NULL)
    return;
  if (added > 0)
    {
      g_autoptr (TillCartLine) line = g_list_model_get_item (model, position + added - 1);

      if (line != NULL)
        till_devices_show_line (self->devices, line, till_cart_get_total (cart));
    }
  else if (till_cart_get_n_lines (cart) > 0)
    till_devices_show_total (self->devices, till_cart_get_total (cart));
}

static void
attach_devices (TillWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  TillDevices    *devices = NULL;

  if (TILL_IS_APPLICATION (app))
    devices = till_application_get_devices (TILL_APPLICATION (app));
  if (TILL_IS_APPLICATION (app) && !self->watching_app_devices)
    {
      /* Saved device settings bring new devices. */
      self->watching_app_devices = TRUE;
      g_signal_connect_object (app, "notify::devices", G_CALLBACK (attach_devices), self,
                               G_CONNECT_SWAPPED);
    }
  if (devices == NULL || devices == self->devices || self->session == NULL)
    return;
  if (self->devices != NULL)
    {
      g_signal_handlers_disconnect_by_func (till_session_get_cart (self->session),
                                            cart_items_changed_cb, self);
      g_signal_handlers_disconnect_by_data (self->devices, self);
    }
  g_clear_object (&self->devices);
  self->devices = g_object_ref (devices);
  g_signal_connect_object (devices, "notify::message", G_CALLBACK (devices_status_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (devices, "code-scanned", G_CALLBACK (device_code_scanned_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (till_session_get_cart (self->session), "items-changed",
                           G_CALLBACK (cart_items_changed_cb), self, G_CONNECT_SWAPPED);
  till_scan_detector_set_prefix (self->scan_detector, till_devices_get_wedge_prefix (devices));
  till_scan_detector_set_suffix (self->scan_detector, till_devices_get_wedge_suffix (devices));
  till_checkout_view_set_devices (self->checkout_view, devices);
  till_devices_attach_window (devices, GTK_WINDOW (self), till_session_get_cart (self->session));
  devices_status_changed_cb (self);
}

/* The checkout banner: an offline limit is exceeded, and whether selling
 * stops (the cart refuses a new sale itself; this says why beforehand). */
static void
sync_limits_changed_cb (TillWindow *self)
{
  TillSyncLimits   limits;
  g_autofree char *text = NULL;

  till_sync_worker_get_limits (till_session_get_sync_worker (self->session), &limits);
  text = till_sync_format_limits_banner (&limits);
  gtk_label_set_text (GTK_LABEL (self->limit_label), text != NULL ? text : "");
  if (limits.blocking != TILL_SYNC_LIMIT_NONE)
    gtk_widget_add_css_class (self->limit_label, "blocking");
  else
    gtk_widget_remove_css_class (self->limit_label, "blocking");
  gtk_revealer_set_reveal_child (GTK_REVEALER (self->limit_revealer),
                                 text != NULL &&
                                     g_strcmp0 (till_window_get_page (self), "checkout") == 0);
}

/* Master data from HQ: the screens that list users and products show the
 * new ones. */
static void
sync_pulled_cb (TillWindow *self, const char *channel)
{
  if (g_str_equal (channel, "users"))
    till_login_view_set_session (self->login_view, self->session);
  else if (g_str_equal (channel, "items") || g_str_equal (channel, "categories") ||
           g_str_equal (channel, "prices"))
    till_checkout_view_reload_catalog (self->checkout_view);
  else if (g_str_equal (channel, "promotions"))
    till_checkout_view_reload_promotions (self->checkout_view);
}

static void
attach_printer_monitor (TillWindow *self)
{
  GtkApplication     *app = gtk_window_get_application (GTK_WINDOW (self));
  TillPrinterMonitor *monitor = NULL;

  if (TILL_IS_APPLICATION (app))
    monitor = till_application_get_printer_monitor (TILL_APPLICATION (app));
  if (monitor == NULL || monitor == self->printer_monitor)
    return;
  g_clear_object (&self->printer_monitor);
  self->printer_monitor = g_object_ref (monitor);
  till_device_settings_view_set_application (self->device_settings_view, TILL_APPLICATION (app));
  g_signal_connect_object (monitor, "notify", G_CALLBACK (printer_status_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (monitor, "job-done", G_CALLBACK (job_done_cb), self, G_CONNECT_SWAPPED);
  till_shift_view_set_printer_monitor (self->shift_view, monitor);
  printer_status_changed_cb (self);
  if (self->session != NULL)
    user_changed_cb (self);
}

static void
till_window_constructed (GObject *object)
{
  TillWindow *self = TILL_WINDOW (object);

  G_OBJECT_CLASS (till_window_parent_class)->constructed (object);

  if (self->session == NULL)
    return;

  {
    g_autofree char *store_name = till_session_dup_store_name (self->session);
    gtk_label_set_text (GTK_LABEL (self->store_label), store_name);
  }
  till_login_view_set_session (self->login_view, self->session);
  till_checkout_view_set_session (self->checkout_view, self->session);
  till_payment_view_set_session (self->payment_view, self->session);
  till_return_view_set_session (self->return_view, self->session);
  till_users_view_set_session (self->users_view, self->session);
  till_promotions_view_set_session (self->promotions_view, self->session);
  till_products_view_set_session (self->products_view, self->session);
  till_stock_view_set_session (self->stock_view, self->session);
  till_reports_view_set_session (self->reports_view, self->session);
  till_sync_view_set_session (self->sync_view, self->session);
  till_shift_view_set_session (self->shift_view, self->session);
  {
    TillSyncWorker *worker = till_session_get_sync_worker (self->session);

    till_sync_status_button_set_worker (self->sync_status, worker);
    g_signal_connect_object (worker, "notify::limits-exceeded", G_CALLBACK (sync_limits_changed_cb),
                             self, G_CONNECT_SWAPPED);
    g_signal_connect_object (worker, "notify::limits-blocking", G_CALLBACK (sync_limits_changed_cb),
                             self, G_CONNECT_SWAPPED);
    g_signal_connect_object (worker, "pulled", G_CALLBACK (sync_pulled_cb), self,
                             G_CONNECT_SWAPPED);
    sync_limits_changed_cb (self);
  }
  g_signal_connect_object (self->session, "notify::user", G_CALLBACK (user_changed_cb), self,
                           G_CONNECT_SWAPPED);
  /* The application is set after construction: the print queue's monitor is
   * picked up when it is. */
  g_signal_connect (self, "notify::application", G_CALLBACK (attach_printer_monitor), NULL);
  g_signal_connect (self, "notify::application", G_CALLBACK (attach_devices), NULL);
  attach_printer_monitor (self);
  attach_devices (self);
  user_changed_cb (self);
  gtk_stack_set_visible_child_name (GTK_STACK (self->main_stack), "till");
}

static gboolean
activity_cb (TillWindow *self, GdkEvent *event)
{
  self->last_activity_us = g_get_monotonic_time ();
  return GDK_EVENT_PROPAGATE;
}

/* Locks the screen once nobody has touched the till for the configured time
 * (PCI DSS asks for 15 minutes at most); the sale in progress waits. */
static gboolean
idle_check_cb (gpointer data)
{
  TillWindow       *self = data;
  GtkApplication   *app = gtk_window_get_application (GTK_WINDOW (self));
  const TillConfig *config =
      TILL_IS_APPLICATION (app) ? till_application_get_config (TILL_APPLICATION (app)) : NULL;
  gint64 idle_us = g_get_monotonic_time () - self->last_activity_us;

  if (config != NULL && config->idle_lock_seconds > 0 &&
      idle_us >= (gint64) config->idle_lock_seconds * G_USEC_PER_SEC)
    lock (self);
  return G_SOURCE_CONTINUE;
}

static void
till_window_dispose (GObject *object)
{
  TillWindow *self = TILL_WINDOW (object);

  g_clear_handle_id (&self->clock_source, g_source_remove);
  g_clear_handle_id (&self->idle_source, g_source_remove);
  g_clear_pointer (&self->holder_code, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (object), TILL_TYPE_WINDOW);
  g_clear_object (&self->session);
  g_clear_object (&self->printer_monitor);
  g_clear_object (&self->devices);
  g_clear_pointer (&self->scan_detector, till_scan_detector_free);
  G_OBJECT_CLASS (till_window_parent_class)->dispose (object);
}

static void
till_window_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TillWindow *self = TILL_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
till_window_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  TillWindow *self = TILL_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
till_window_class_init (TillWindowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = till_window_constructed;
  object_class->dispose = till_window_dispose;
  object_class->get_property = till_window_get_property;
  object_class->set_property = till_window_set_property;

  properties[PROP_SESSION] =
      g_param_spec_object ("session", NULL, NULL, TILL_TYPE_SESSION,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (TILL_TYPE_LOGIN_VIEW);
  g_type_ensure (TILL_TYPE_CHECKOUT_VIEW);
  g_type_ensure (TILL_TYPE_PAYMENT_VIEW);
  g_type_ensure (TILL_TYPE_DEVICE_SETTINGS_VIEW);
  g_type_ensure (TILL_TYPE_RETURN_VIEW);
  g_type_ensure (TILL_TYPE_USERS_VIEW);
  g_type_ensure (TILL_TYPE_PROMOTIONS_VIEW);
  g_type_ensure (TILL_TYPE_SYNC_VIEW);
  g_type_ensure (TILL_TYPE_SYNC_STATUS_BUTTON);
  g_type_ensure (TILL_TYPE_SHIFT_VIEW);
  g_type_ensure (TILL_TYPE_PRODUCTS_VIEW);
  g_type_ensure (TILL_TYPE_STOCK_VIEW);
  g_type_ensure (TILL_TYPE_REPORTS_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/opentill/Till/ui/till-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TillWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, TillWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, TillWindow, page_stack);
  gtk_widget_class_bind_template_child (widget_class, TillWindow, store_label);
  gtk_widget_class_bind_template_child (widget_class, TillWindow, clock_label);
  gtk_widget_class_bind_template_child (widget_class, TillWindow, cashier_label);
  gtk_widget_class_bind_template_child (widget_class, TillWindow, logout_button);
  gtk_widget_class_bind_template_child (widget_class, TillWindow, printer_button);
  gtk_widget_class_bind_template_child (widget_class, TillWindow, printer_label);
  gtk_widget_class_bind_template_child (widget_class, TillWindow, reprint_button);
  gtk_widget_class_bind_template_child (widget_class, TillWindow, settings_button);
  gtk_widget_class_bind_template_child (widget_class, TillWindow, device_settings_view);
  gtk_widget_class_bind_template_child (widget_class, TillWindow, device_button);
  gtk_widget_class_bind_template_child (widget_class, TillWindow, device_label);
  gtk_widget_class_bind_template_child (widget_class, TillWindow, login_view);
  gtk_widget_class_bind_template_child (widget_class, TillWindow, checkout_view);
  gtk_widget_class_bind_template_child (widget_class, TillWindow, payment_view);
  gtk_widget_class_bind_template_child (widget_class, TillWindow, return_view);
  gtk_widget_class_bind_template_child (widget_class, TillWindow, users_view);
  gtk_widget_class_bind_template_child (widget_class, TillWindow, promotions_view);
  gtk_widget_class_bind_template_child (widget_class, TillWindow, products_view);
  gtk_widget_class_bind_template_child (widget_class, TillWindow, stock_view);
  gtk_widget_class_bind_template_child (widget_class, TillWindow, reports_view);
  gtk_widget_class_bind_template_child (widget_class, TillWindow, shift_view);
  gtk_widget_class_bind_template_child (widget_class, TillWindow, functions_button);
  gtk_widget_class_bind_template_child (widget_class, TillWindow, stock_alert_button);
  gtk_widget_class_bind_template_child (widget_class, TillWindow, sync_view);
  gtk_widget_class_bind_template_child (widget_class, TillWindow, sync_status);
  gtk_widget_class_bind_template_child (widget_class, TillWindow, limit_revealer);
  gtk_widget_class_bind_template_child (widget_class, TillWindow, limit_label);
  gtk_widget_class_bind_template_callback (widget_class, pay_requested_cb);
  gtk_widget_class_bind_template_callback (widget_class, payment_cancelled_cb);
  gtk_widget_class_bind_template_callback (widget_class, payment_finished_cb);
  gtk_widget_class_bind_template_callback (widget_class, sale_completed_cb);
  gtk_widget_class_bind_template_callback (widget_class, view_closed_cb);
  gtk_widget_class_bind_template_callback (widget_class, shift_present_cb);
}

static void
till_window_init (TillWindow *self)
{
  GtkEventController *keys;
  GtkEventController *activity;

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_add_css_class (GTK_WIDGET (self), "till");

  g_action_map_add_action_entries (G_ACTION_MAP (self), win_actions, G_N_ELEMENTS (win_actions),
                                   self);
  /* The shift acts live with the shift page: win.shift-open, win.x-report, … */
  till_shift_view_add_actions (self->shift_view, G_ACTION_MAP (self));

  /* A scan anywhere on the window: watch every key before any widget sees it. */
  self->scan_detector =
      till_scan_detector_new (TILL_SCAN_DEFAULT_MAX_GAP_MS, TILL_SCAN_DEFAULT_MIN_LENGTH);
  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (scan_key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);

  /* Any touch, click or key is activity: the idle lock counts from the last. */
  activity = gtk_event_controller_legacy_new ();
  gtk_event_controller_set_propagation_phase (activity, GTK_PHASE_CAPTURE);
  g_signal_connect_swapped (activity, "event", G_CALLBACK (activity_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), activity);
  self->last_activity_us = g_get_monotonic_time ();
  self->idle_source = g_timeout_add_seconds (1, idle_check_cb, self);

  update_clock_cb (self);
  self->clock_source = g_timeout_add_seconds (10, update_clock_cb, self);
}

TillWindow *
till_window_new (AdwApplication *application, TillSession *session)
{
  g_return_val_if_fail (ADW_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (session == NULL || TILL_IS_SESSION (session), NULL);

  return g_object_new (TILL_TYPE_WINDOW, "application", application, "session", session, NULL);
}

void
till_window_show_fatal_error (TillWindow *self, const char *title, const char *message)
{
  g_return_if_fail (TILL_IS_WINDOW (self));

  adw_status_page_set_title (ADW_STATUS_PAGE (self->error_page), title);
  adw_status_page_set_description (ADW_STATUS_PAGE (self->error_page), message);
  gtk_stack_set_visible_child_name (GTK_STACK (self->main_stack), "error");
}

gboolean
till_window_activate_action (TillWindow *self, const char *name, GVariant *parameter)
{
  g_return_val_if_fail (TILL_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (g_str_has_prefix (name, "win."))
    {
      const char *action = name + strlen ("win.");

      if (!g_action_group_get_action_enabled (G_ACTION_GROUP (self), action))
        return FALSE;
      g_action_group_activate_action (G_ACTION_GROUP (self), action, parameter);
      return TRUE;
    }
  if (self->session == NULL)
    return FALSE;
  /* sale.* live on the checkout screen except sale.new, which ends the payment;
   * return.* and users.* on their screens. */
  {
    GtkWidget *views[] = { GTK_WIDGET (self->checkout_view),   GTK_WIDGET (self->payment_view),
                           GTK_WIDGET (self->return_view),     GTK_WIDGET (self->users_view),
                           GTK_WIDGET (self->promotions_view), GTK_WIDGET (self->products_view),
                           GTK_WIDGET (self->stock_view),      GTK_WIDGET (self->reports_view) };

    for (guint i = 0; i < G_N_ELEMENTS (views); i++)
      {
        if (!till_ui_action_get_enabled (views[i], name))
          continue;
        if (gtk_widget_activate_action_variant (views[i], name, parameter))
          return TRUE;
      }
  }
  return FALSE;
}

const char *
till_window_get_page (TillWindow *self)
{
  g_return_val_if_fail (TILL_IS_WINDOW (self), NULL);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (GTK_STACK (self->main_stack)), "error") == 0)
    return "error";
  return gtk_stack_get_visible_child_name (GTK_STACK (self->page_stack));
}

TillSession *
till_window_get_session (TillWindow *self)
{
  g_return_val_if_fail (TILL_IS_WINDOW (self), NULL);
  return self->session;
}

TillLoginView *
till_window_get_login_view (TillWindow *self)
{
  g_return_val_if_fail (TILL_IS_WINDOW (self), NULL);
  return self->login_view;
}

TillCheckoutView *
till_window_get_checkout_view (TillWindow *self)
{
  g_return_val_if_fail (TILL_IS_WINDOW (self), NULL);
  return self->checkout_view;
}

TillPaymentView *
till_window_get_payment_view (TillWindow *self)
{
  g_return_val_if_fail (TILL_IS_WINDOW (self), NULL);
  return self->payment_view;
}

/* What the top bar's printer indicator says ("" when it is hidden). */
const char *
till_window_get_printer_status_text (TillWindow *self)
{
  g_return_val_if_fail (TILL_IS_WINDOW (self), NULL);

  if (!gtk_widget_get_visible (self->printer_button))
    return "";
  return gtk_label_get_text (GTK_LABEL (self->printer_label));
}

/* What the top bar's device indicator says ("" when it is hidden). */
const char *
till_window_get_device_status_text (TillWindow *self)
{
  g_return_val_if_fail (TILL_IS_WINDOW (self), NULL);

  if (!gtk_widget_get_visible (self->device_button))
    return "";
  return gtk_label_get_text (GTK_LABEL (self->device_label));
}

TillDeviceSettingsView *
till_window_get_device_settings_view (TillWindow *self)
{
  g_return_val_if_fail (TILL_IS_WINDOW (self), NULL);
  return self->device_settings_view;
}

TillReturnView *
till_window_get_return_view (TillWindow *self)
{
  g_return_val_if_fail (TILL_IS_WINDOW (self), NULL);
  return self->return_view;
}

TillUsersView *
till_window_get_users_view (TillWindow *self)
{
  g_return_val_if_fail (TILL_IS_WINDOW (self), NULL);
  return self->users_view;
}

TillShiftView *
till_window_get_shift_view (TillWindow *self)
{
  g_return_val_if_fail (TILL_IS_WINDOW (self), NULL);
  return self->shift_view;
}

TillSyncView *
till_window_get_sync_view (TillWindow *self)
{
  g_return_val_if_fail (TILL_IS_WINDOW (self), NULL);
  return self->sync_view;
}

/* What the top bar's sync indicator says ("" when it is hidden). */
const char *
till_window_get_sync_status_text (TillWindow *self)
{
  g_return_val_if_fail (TILL_IS_WINDOW (self), NULL);
  if (!gtk_widget_get_visible (GTK_WIDGET (self->sync_status)))
    return NULL;
  return till_sync_status_button_get_text (self->sync_status);
}

/* The checkout's offline-limit banner, "" when none shows. */
const char *
till_window_get_limit_banner_text (TillWindow *self)
{
  g_return_val_if_fail (TILL_IS_WINDOW (self), NULL);

  if (!gtk_revealer_get_reveal_child (GTK_REVEALER (self->limit_revealer)))
    return "";
  return gtk_label_get_text (GTK_LABEL (self->limit_label));
}

const char *
till_window_get_stock_alert_text (TillWindow *self)
{
  g_return_val_if_fail (TILL_IS_WINDOW (self), NULL);

  if (!gtk_widget_get_visible (self->stock_alert_button))
    return NULL;
  return gtk_button_get_label (GTK_BUTTON (self->stock_alert_button));
}

void
till_window_take_scan (TillWindow *self, const char *code)
{
  g_return_if_fail (TILL_IS_WINDOW (self));
  g_return_if_fail (code != NULL);

  take_scanned_code (self, code, FALSE);
}
