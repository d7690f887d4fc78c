/* till-window.c: the till's one window: top bar and the screens
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-app"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "till-application.h"
#include "till-scan-detector.h"
#include "till-ui-util.h"
#include "till-window.h"

struct _TillWindow
{
  AdwApplicationWindow parent_instance;

  /* template children */
  GtkWidget        *main_stack;
  GtkWidget        *error_page;
  GtkWidget        *page_stack;
  GtkWidget        *store_label;
  GtkWidget        *clock_label;
  GtkWidget        *cashier_label;
  GtkWidget        *logout_button;
  TillLoginView    *login_view;
  TillCheckoutView *checkout_view;
  TillPaymentView  *payment_view;

  TillSession      *session;
  TillScanDetector *scan_detector;
  guint             clock_source;
};

G_DEFINE_FINAL_TYPE (TillWindow, till_window, ADW_TYPE_APPLICATION_WINDOW)

enum
{
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
show_page (TillWindow *self, const char *name)
{
  gtk_stack_set_visible_child_name (GTK_STACK (self->page_stack), name);
  gtk_widget_set_visible (self->logout_button,
                          g_str_equal (name, "checkout") && till_session_get_user (self->session));
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
      show_page (self, "checkout");
    }
  else
    {
      gtk_label_set_text (GTK_LABEL (self->cashier_label), "");
      till_login_view_reset (self->login_view);
      show_page (self, "login");
    }
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
  till_login_view_reset (self->login_view);
  till_session_set_user (self->session, user);
}

static void
logout_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  TillWindow *self = user_data;

  if (self->session != NULL)
    till_session_set_user (self->session, NULL);
}

static const GActionEntry win_actions[] = {
  { "login", login_action_cb, "(ss)", NULL, NULL, { 0 } },
  { "logout", logout_action_cb, NULL, NULL, NULL, { 0 } },
};

static void
pay_requested_cb (TillWindow *self)
{
  till_payment_view_begin (self->payment_view);
  show_page (self, "payment");
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
}

static void
print_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (TillWindow) self = user_data;
  g_autoptr (GError) error = NULL;

  if (till_application_print_receipt_finish (TILL_APPLICATION (source), result, &error))
    {
      till_payment_view_set_print_status (self->payment_view, _ ("Receipt printed."), FALSE);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      /* No printer configured: nothing to report but the fact. */
      till_payment_view_set_print_status (self->payment_view, error->message, FALSE);
      return;
    }

  /* The sale is recorded whatever happens to the paper: say so, and keep going. */
  {
    g_autofree char *message = g_strdup_printf (_ ("Receipt not printed: %s"), error->message);
    g_warning ("%s", message);
    till_payment_view_set_print_status (self->payment_view, message, TRUE);
    till_ui_toast (GTK_WIDGET (self->payment_view), message);
  }
}

static void
sale_completed_cb (TillWindow *self, TillSale *sale, TillPaymentView *view)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  /* pay.* may come from outside (D-Bus) while the sale screen shows: the change
   * must be on screen all the same. */
  show_page (self, "payment");
  till_session_checkpoint_when_idle (self->session);
  if (TILL_IS_APPLICATION (app))
    till_application_print_receipt_async (TILL_APPLICATION (app), sale, NULL, print_done_cb,
                                          g_object_ref (self));
}

static void
remove_from_focused_entry (TillWindow *self, const char *code)
{
  GtkWidget  *focus = gtk_root_get_focus (GTK_ROOT (self));
  const char *text;
  glong       text_chars;
  glong       code_chars;

  if (focus == NULL || !GTK_IS_EDITABLE (focus))
    return;
  text = gtk_editable_get_text (GTK_EDITABLE (focus));
  if (!g_str_has_suffix (text, code))
    return;
  text_chars = g_utf8_strlen (text, -1);
  code_chars = g_utf8_strlen (code, -1);
  gtk_editable_delete_text (GTK_EDITABLE (focus), (int) (text_chars - code_chars),
                            (int) text_chars);
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
  g_autofree char *code = NULL;

  /* Scanners send Shift for capitals: it neither belongs to nor ends a scan. */
  if (event != NULL && gdk_key_event_is_modifier (event))
    return FALSE;

  if (keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter || keyval == GDK_KEY_ISO_Enter)
    {
      if (till_scan_detector_feed_enter (self->scan_detector, time_ms) != TILL_SCAN_COMPLETE)
        return FALSE;
      code = till_scan_detector_take_code (self->scan_detector);
      if (!g_str_equal (till_window_get_page (self), "checkout"))
        {
          /* Not on the sale screen: a stray scan must not land anywhere. */
          remove_from_focused_entry (self, code);
          return TRUE;
        }
      remove_from_focused_entry (self, code);
      till_checkout_view_take_scan (self->checkout_view, code);
      return TRUE;
    }

  character = gdk_keyval_to_unicode (keyval);
  if (character != 0 && g_unichar_isprint (character) &&
      !(state & (GDK_CONTROL_MASK | GDK_ALT_MASK)))
    till_scan_detector_feed_char (self->scan_detector, character, time_ms);
  else
    till_scan_detector_feed_other (self->scan_detector, time_ms);
  return FALSE;
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
  g_signal_connect_object (self->session, "notify::user", G_CALLBACK (user_changed_cb), self,
                           G_CONNECT_SWAPPED);
  user_changed_cb (self);
  gtk_stack_set_visible_child_name (GTK_STACK (self->main_stack), "till");
}

static void
till_window_dispose (GObject *object)
{
  TillWindow *self = TILL_WINDOW (object);

  g_clear_handle_id (&self->clock_source, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (object), TILL_TYPE_WINDOW);
  g_clear_object (&self->session);
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
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/opentill/Till/ui/till-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TillWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, TillWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, TillWindow, page_stack);
  gtk_widget_class_bind_template_child (widget_class, TillWindow, store_label);
  gtk_widget_class_bind_template_child (widget_class, TillWindow, clock_label);
  gtk_widget_class_bind_template_child (widget_class, TillWindow, cashier_label);
  gtk_widget_class_bind_template_child (widget_class, TillWindow, logout_button);
  gtk_widget_class_bind_template_child (widget_class, TillWindow, login_view);
  gtk_widget_class_bind_template_child (widget_class, TillWindow, checkout_view);
  gtk_widget_class_bind_template_child (widget_class, TillWindow, payment_view);
  gtk_widget_class_bind_template_callback (widget_class, pay_requested_cb);
  gtk_widget_class_bind_template_callback (widget_class, payment_cancelled_cb);
  gtk_widget_class_bind_template_callback (widget_class, payment_finished_cb);
  gtk_widget_class_bind_template_callback (widget_class, sale_completed_cb);
}

static void
till_window_init (TillWindow *self)
{
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_add_css_class (GTK_WIDGET (self), "till");

  g_action_map_add_action_entries (G_ACTION_MAP (self), win_actions, G_N_ELEMENTS (win_actions),
                                   self);

  /* A scan anywhere on the window: watch every key before any widget sees it. */
  self->scan_detector =
      till_scan_detector_new (TILL_SCAN_DEFAULT_MAX_GAP_MS, TILL_SCAN_DEFAULT_MIN_LENGTH);
  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (scan_key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);

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
  /* sale.* live on the checkout screen except sale.new, which ends the payment. */
  {
    GtkWidget *views[] = { GTK_WIDGET (self->checkout_view), GTK_WIDGET (self->payment_view) };

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
