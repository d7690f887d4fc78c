/* till-devices.c: the till's devices (bar the printer) and their state for the screen
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-devices"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "till-customer-window.h"
#include "till-devices.h"

/* A scale that says nothing for this long is "no answer" (each read waits at
 * most this long in its worker). */
#define SCALE_READ_TIMEOUT_MS 500

struct _TillDevices
{
  GObject parent_instance;

  GCancellable *cancellable;
  guint         retry_source;

  /* Pole display */
  TillPoleDisplay     *display;
  char                *display_message;
  TillPoleDisplayState display_last; /* strings not kept: re-posted only for a retry */
  gboolean             display_has_last;
  guint                welcome_source;

  /* Scanners */
  TillSerialScanner *scanner;
  char              *scanner_message;
  TillCameraScanner *camera;
  char              *camera_message;
  gboolean           camera_active;

  /* Scale */
  char            *scale_uri;
  TillScale       *scale;
  char            *scale_message;
  gboolean         scale_opening;
  gboolean         scale_reading;
  gboolean         scale_polling;
  guint            scale_source;
  TillScaleReading scale_last;
  gint64           scale_last_us; /* monotonic time of scale_last; 0: none yet */

  /* Customer window */
  char       *customer_screen;
  GtkWindow  *till_window; /* weak */
  TillCart   *cart;
  GListModel *monitors;
  GdkMonitor *customer_monitor;
  GtkWindow  *customer_window;

  char    *wedge_prefix;
  gunichar wedge_suffix;

  char *message; /* the first of the above, for the top bar */
};

G_DEFINE_FINAL_TYPE (TillDevices, till_devices, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_MESSAGE,
  PROP_DISPLAY_MESSAGE,
  PROP_SCANNER_MESSAGE,
  PROP_CAMERA_MESSAGE,
  PROP_SCALE_MESSAGE,
  N_PROPS
};

enum
{
  SIGNAL_CODE_SCANNED,
  SIGNAL_SCALE_READING,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint       signals[N_SIGNALS];

static void start_scale_open (TillDevices *self);

/* Async calls hold the devices weakly: dropping the till does not wait for a
 * scale that takes its time to answer. */
static GWeakRef *
weak_ref_new (gpointer object)
{
  GWeakRef *ref = g_new0 (GWeakRef, 1);

  g_weak_ref_init (ref, object);
  return ref;
}

static TillDevices *
weak_ref_steal (GWeakRef *ref)
{
  TillDevices *self = g_weak_ref_get (ref);

  g_weak_ref_clear (ref);
  g_free (ref);
  return self;
}
static void start_scale_read (TillDevices *self);

/* ---- Messages --------------------------------------------------------------- */

static void
update_summary (TillDevices *self)
{
  const char *first = self->display_message;

  if (first == NULL)
    first = self->scanner_message;
  if (first == NULL)
    first = self->camera_message;
  if (first == NULL)
    first = self->scale_message;
  if (g_strcmp0 (first, self->message) == 0)
    return;
  g_free (self->message);
  self->message = g_strdup (first);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
}

/* Takes @message (nullable). */
static void
set_message (TillDevices *self, char **field, guint prop_id, char *message)
{
  if (g_strcmp0 (*field, message) == 0)
    {
      g_free (message);
      return;
    }
  g_free (*field);
  *field = message;
  if (message != NULL)
    g_message ("%s", message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
  update_summary (self);
}

/* The drivers name the device URI first: right for the log, noise for the
 * cashier. */
static const char *
strip_uri (const char *message, const char *uri)
{
  const char *question = uri != NULL ? strchr (uri, '?') : NULL;
  gsize base_len = uri == NULL ? 0 : question != NULL ? (gsize) (question - uri) : strlen (uri);

  if (uri == NULL || message == NULL)
    return message;
  /* The URI, with all, some or none of its options (a driver takes its own
   * out before the transport names it). */
  if (strncmp (message, uri, base_len) == 0)
    {
      const char *end = strstr (message + base_len, ": ");

      if (end != NULL &&
          memchr (message + base_len, ' ', (gsize) (end - message - base_len)) == NULL)
        return end + 2;
    }
  return message;
}

/* ---- Pole display -------------------------------------------------------------- */

static void
display_error_cb (TillDevices *self)
{
  const char *error = till_pole_display_get_error_message (self->display);

  set_message (self, &self->display_message, PROP_DISPLAY_MESSAGE,
               error != NULL
                   ? g_strdup_printf (_ ("Customer display: %s"),
                                      strip_uri (error, till_pole_display_get_uri (self->display)))
                   : NULL);
}

static void
post_display (TillDevices *self, const TillPoleDisplayState *state)
{
  if (self->display == NULL)
    return;
  till_pole_display_post (self->display, state);
  self->display_last = *state;
  self->display_last.item_name = NULL;
  self->display_last.item_name_ascii = NULL;
  self->display_has_last = TRUE;
}

static void
post_screen (TillDevices *self, TillPoleDisplayScreen screen)
{
  TillPoleDisplayState state = { .screen = screen };

  post_display (self, &state);
}

static gboolean
welcome_cb (gpointer user_data)
{
  TillDevices *self = user_data;

  self->welcome_source = 0;
  post_screen (self, TILL_POLE_DISPLAY_SCREEN_WELCOME);
  return G_SOURCE_REMOVE;
}

/* ---- Scanners ----------------------------------------------------------------- */

static void
code_scanned_cb (TillDevices *self, const char *code)
{
  g_signal_emit (self, signals[SIGNAL_CODE_SCANNED], 0, code);
}

static void
scanner_error_cb (TillDevices *self)
{
  const char *error = till_serial_scanner_get_error_message (self->scanner);

  set_message (self, &self->scanner_message, PROP_SCANNER_MESSAGE,
               error != NULL ? g_strdup_printf (
                                   _ ("Scanner: %s"),
                                   strip_uri (error, till_serial_scanner_get_uri (self->scanner)))
                             : NULL);
}

static void
camera_error_cb (TillDevices *self)
{
  const char *error = till_camera_scanner_get_error_message (self->camera);

  set_message (self, &self->camera_message, PROP_CAMERA_MESSAGE,
               error != NULL ? g_strdup_printf (_ ("Camera: %s"), error) : NULL);
}

static TillCameraSource *
camera_source_from_uri (const char *uri, GError **error)
{
  g_autoptr (GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_PARSE_RELAXED, NULL);

  if (g_str_equal (uri, "push:") || g_str_has_prefix (uri, "push:"))
    return till_camera_source_new_push ();
  if (parsed != NULL && g_strcmp0 (g_uri_get_scheme (parsed), "v4l2") == 0 &&
      g_uri_get_path (parsed)[0] != '\0')
    return till_camera_source_new_v4l2 (g_uri_get_path (parsed));
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               _ ("“%s” is not a camera: use v4l2:///dev/video0"), uri);
  return NULL;
}

/* ---- Scale ------------------------------------------------------------------- */

static void
scale_open_thread_cb (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GError    *error = NULL;
  TillScale *scale = till_scale_open (task_data, &error);

  if (scale == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, scale, g_object_unref);
}

static gboolean
retry_cb (gpointer user_data)
{
  TillDevices *self = user_data;

  self->retry_source = 0;
  till_devices_retry (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_retry (TillDevices *self)
{
  if (self->retry_source == 0)
    self->retry_source = g_timeout_add_seconds (TILL_DEVICES_RETRY_S, retry_cb, self);
}

static void
scale_open_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (TillDevices) self = weak_ref_steal (user_data);
  g_autoptr (GError) error = NULL;
  TillScale *scale = g_task_propagate_pointer (G_TASK (result), &error);

  if (self == NULL || g_cancellable_is_cancelled (self->cancellable))
    {
      g_clear_object (&scale);
      return;
    }
  self->scale_opening = FALSE;
  if (scale == NULL)
    {
      set_message (self, &self->scale_message, PROP_SCALE_MESSAGE,
                   g_strdup_printf (_ ("Scale: %s"), strip_uri (error->message, self->scale_uri)));
      schedule_retry (self);
      return;
    }
  g_clear_object (&self->scale);
  self->scale = scale;
  set_message (self, &self->scale_message, PROP_SCALE_MESSAGE, NULL);
  start_scale_read (self);
}

static void
start_scale_open (TillDevices *self)
{
  g_autoptr (GTask) task = NULL;

  if (self->scale_uri == NULL || self->scale != NULL || self->scale_opening)
    return;
  self->scale_opening = TRUE;
  task = g_task_new (NULL, self->cancellable, scale_open_done_cb, weak_ref_new (self));
  g_task_set_source_tag (task, start_scale_open);
  g_task_set_task_data (task, g_strdup (self->scale_uri), g_free);
  g_task_run_in_thread (task, scale_open_thread_cb);
}

static gboolean
scale_next_read_cb (gpointer user_data)
{
  TillDevices *self = user_data;

  self->scale_source = 0;
  start_scale_read (self);
  return G_SOURCE_REMOVE;
}

static void
scale_read_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (TillDevices) self = weak_ref_steal (user_data);
  g_autoptr (GError) error = NULL;
  TillScaleReading reading = { .state = TILL_SCALE_STATE_NO_ANSWER };
  gboolean         ok;

  ok = till_scale_read_finish (TILL_SCALE (source), result, &reading, &error);
  if (self == NULL || g_cancellable_is_cancelled (self->cancellable))
    return;
  self->scale_reading = FALSE;
  /* A reading from a scale dropped meanwhile (unplugged and reopened) is stale. */
  if (TILL_SCALE (source) != self->scale)
    {
      start_scale_read (self);
      return;
    }
  if (!ok)
    {
      /* The device itself failed (unplugged): open it again later. */
      g_clear_object (&self->scale);
      reading.state = TILL_SCALE_STATE_NO_ANSWER;
      set_message (self, &self->scale_message, PROP_SCALE_MESSAGE,
                   g_strdup_printf (_ ("Scale: %s"), strip_uri (error->message, self->scale_uri)));
      schedule_retry (self);
    }
  else if (reading.state == TILL_SCALE_STATE_NO_ANSWER)
    set_message (self, &self->scale_message, PROP_SCALE_MESSAGE,
                 g_strdup (_ ("Scale: the scale does not answer")));
  else
    set_message (self, &self->scale_message, PROP_SCALE_MESSAGE, NULL);

  self->scale_last = reading;
  self->scale_last_us = g_get_monotonic_time ();
  g_signal_emit (self, signals[SIGNAL_SCALE_READING], 0);
  if (self->scale != NULL && self->scale_polling && self->scale_source == 0)
    self->scale_source = g_timeout_add (TILL_DEVICES_SCALE_INTERVAL_MS, scale_next_read_cb, self);
}

static void
start_scale_read (TillDevices *self)
{
  if (self->scale == NULL || !self->scale_polling || self->scale_reading || self->scale_source != 0)
    return;
  self->scale_reading = TRUE;
  till_scale_read_async (self->scale, SCALE_READ_TIMEOUT_MS, self->cancellable, scale_read_done_cb,
                         weak_ref_new (self));
}

/* ---- Customer window ------------------------------------------------------- */

static GdkMonitor *
till_window_monitor (TillDevices *self)
{
  GdkSurface *surface;

  if (self->till_window == NULL || !gtk_widget_get_realized (GTK_WIDGET (self->till_window)))
    return NULL;
  surface = gtk_native_get_surface (GTK_NATIVE (self->till_window));
  return surface != NULL ? gdk_display_get_monitor_at_surface (
                               gtk_widget_get_display (GTK_WIDGET (self->till_window)), surface)
                         : NULL;
}

/* The monitor the configuration asks for now, or NULL. */
static GdkMonitor *
choose_customer_monitor (TillDevices *self)
{
  guint       n = self->monitors != NULL ? g_list_model_get_n_items (self->monitors) : 0;
  GdkMonitor *till_monitor;
  char       *end = NULL;
  guint64     index;

  if (n == 0 || self->customer_screen == NULL || g_str_equal (self->customer_screen, "off"))
    return NULL;
  if (g_str_equal (self->customer_screen, "auto"))
    {
      if (n < 2)
        return NULL;
      till_monitor = till_window_monitor (self);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr (GdkMonitor) monitor = g_list_model_get_item (self->monitors, i);

          /* Without the till's monitor known yet, the first is taken to be it. */
          if (till_monitor != NULL ? monitor != till_monitor : i > 0)
            return monitor;
        }
      return NULL;
    }
  index = g_ascii_strtoull (self->customer_screen, &end, 10);
  if (end == self->customer_screen || *end != '\0')
    {
      g_warning ("customer-screen=%s is not auto, off or a monitor number", self->customer_screen);
      return NULL;
    }
  if (index >= n)
    return NULL;
  {
    g_autoptr (GdkMonitor) monitor = g_list_model_get_item (self->monitors, (guint) index);
    return monitor;
  }
}

static void
destroy_customer_window (TillDevices *self)
{
  if (self->customer_window == NULL)
    return;
  gtk_window_destroy (self->customer_window);
  g_clear_object (&self->customer_window);
  self->customer_monitor = NULL;
}

static void
update_customer_window (TillDevices *self)
{
  GdkMonitor *monitor = choose_customer_monitor (self);

  if (monitor == NULL)
    {
      destroy_customer_window (self);
      return;
    }
  if (monitor == self->customer_monitor && self->customer_window != NULL)
    return;
  destroy_customer_window (self);
  self->customer_window = GTK_WINDOW (g_object_ref (till_customer_window_new (self->cart)));
  self->customer_monitor = monitor;
  /* X11 puts a fullscreen window on the monitor it is asked for. */
  gtk_window_fullscreen_on_monitor (self->customer_window, monitor);
  gtk_window_present (self->customer_window);
}

static void
monitors_changed_cb (TillDevices *self)
{
  update_customer_window (self);
}

/* ---- GObject ------------------------------------------------------------------ */

static void
till_devices_dispose (GObject *object)
{
  TillDevices *self = TILL_DEVICES (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  g_clear_handle_id (&self->welcome_source, g_source_remove);
  g_clear_handle_id (&self->scale_source, g_source_remove);
  if (self->scanner != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->scanner, self);
      till_serial_scanner_stop (self->scanner);
      g_clear_object (&self->scanner);
    }
  if (self->camera != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->camera, self);
      till_camera_scanner_stop (self->camera);
      g_clear_object (&self->camera);
    }
  if (self->display != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->display, self);
      /* The customer should not be left looking at the last sale. */
      till_pole_display_wait_idle (self->display, 1000);
      g_clear_object (&self->display);
    }
  g_clear_object (&self->scale);
  destroy_customer_window (self);
  if (self->monitors != NULL)
    g_signal_handlers_disconnect_by_data (self->monitors, self);
  g_clear_object (&self->monitors);
  g_clear_object (&self->cart);
  g_clear_weak_pointer (&self->till_window);
  G_OBJECT_CLASS (till_devices_parent_class)->dispose (object);
}

static void
till_devices_finalize (GObject *object)
{
  TillDevices *self = TILL_DEVICES (object);

  g_clear_object (&self->cancellable);
  g_free (self->display_message);
  g_free (self->scanner_message);
  g_free (self->camera_message);
  g_free (self->scale_message);
  g_free (self->scale_uri);
  g_free (self->customer_screen);
  g_free (self->wedge_prefix);
  g_free (self->message);
  G_OBJECT_CLASS (till_devices_parent_class)->finalize (object);
}

static void
till_devices_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TillDevices *self = TILL_DEVICES (object);

  switch (prop_id)
    {
    case PROP_MESSAGE:
      g_value_set_string (value, self->message);
      break;
    case PROP_DISPLAY_MESSAGE:
      g_value_set_string (value, self->display_message);
      break;
    case PROP_SCANNER_MESSAGE:
      g_value_set_string (value, self->scanner_message);
      break;
    case PROP_CAMERA_MESSAGE:
      g_value_set_string (value, self->camera_message);
      break;
    case PROP_SCALE_MESSAGE:
      g_value_set_string (value, self->scale_message);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
till_devices_class_init (TillDevicesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const char   *names[N_PROPS] = {
      NULL, "message", "display-message", "scanner-message", "camera-message", "scale-message"
  };

  object_class->dispose = till_devices_dispose;
  object_class->finalize = till_devices_finalize;
  object_class->get_property = till_devices_get_property;

  for (guint i = 1; i < N_PROPS; i++)
    properties[i] =
        g_param_spec_string (names[i], NULL, NULL, NULL,
                             G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_CODE_SCANNED] =
      g_signal_new ("code-scanned", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_SCALE_READING] =
      g_signal_new ("scale-reading", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 0);
}

static void
till_devices_init (TillDevices *self)
{
  self->cancellable = g_cancellable_new ();
}

/* ---- Public API ------------------------------------------------------------- */

/**
 * till_devices_new:
 * Creates the drivers and starts those that run by themselves (the serial
 * scanner's reader, the scale's opening); opens nothing on this thread.
 */
TillDevices *
till_devices_new (const TillConfig *config)
{
  TillDevices *self;
  g_autoptr (GError) error = NULL;

  g_return_val_if_fail (config != NULL, NULL);

  self = g_object_new (TILL_TYPE_DEVICES, NULL);
  self->customer_screen = g_strdup (config->customer_screen);
  self->wedge_prefix = g_strdup (config->scanner_prefix);
  self->wedge_suffix = config->scanner_suffix;

  if (config->display_uri != NULL)
    {
      self->display = till_pole_display_new (config->display_uri, &error);
      if (self->display == NULL)
        set_message (self, &self->display_message, PROP_DISPLAY_MESSAGE,
                     g_strdup_printf (_ ("Customer display: %s"), error->message));
      else
        {
          g_signal_connect_swapped (self->display, "notify::error-message",
                                    G_CALLBACK (display_error_cb), self);
          post_screen (self, TILL_POLE_DISPLAY_SCREEN_WELCOME);
        }
      g_clear_error (&error);
    }

  if (config->scanner_uri != NULL)
    {
      self->scanner = till_serial_scanner_new (config->scanner_uri, &error);
      if (self->scanner == NULL)
        set_message (self, &self->scanner_message, PROP_SCANNER_MESSAGE,
                     g_strdup_printf (_ ("Scanner: %s"), error->message));
      else
        {
          g_signal_connect_swapped (self->scanner, "code-scanned", G_CALLBACK (code_scanned_cb),
                                    self);
          g_signal_connect_swapped (self->scanner, "notify::error-message",
                                    G_CALLBACK (scanner_error_cb), self);
          till_serial_scanner_start (self->scanner);
        }
      g_clear_error (&error);
    }

  if (config->camera_uri != NULL)
    {
      g_autoptr (TillCameraSource) source = camera_source_from_uri (config->camera_uri, &error);

      if (source == NULL)
        set_message (self, &self->camera_message, PROP_CAMERA_MESSAGE,
                     g_strdup_printf (_ ("Camera: %s"), error->message));
      else
        {
          /* Products carry EAN-13 and Code 128 labels; 付款码 and coupons are QR. */
          self->camera = till_camera_scanner_new (
              source, TILL_QR_SYMBOLOGY_QR | TILL_QR_SYMBOLOGY_EAN13 | TILL_QR_SYMBOLOGY_CODE128);
          g_signal_connect_swapped (self->camera, "code-scanned", G_CALLBACK (code_scanned_cb),
                                    self);
          g_signal_connect_swapped (self->camera, "notify::error-message",
                                    G_CALLBACK (camera_error_cb), self);
        }
      g_clear_error (&error);
    }

  if (config->scale_uri != NULL)
    {
      self->scale_uri = g_strdup (config->scale_uri);
      start_scale_open (self);
    }
  return self;
}

const char *
till_devices_get_message (TillDevices *self)
{
  g_return_val_if_fail (TILL_IS_DEVICES (self), NULL);
  return self->message;
}

const char *
till_devices_get_display_message (TillDevices *self)
{
  g_return_val_if_fail (TILL_IS_DEVICES (self), NULL);
  return self->display_message;
}

const char *
till_devices_get_scanner_message (TillDevices *self)
{
  g_return_val_if_fail (TILL_IS_DEVICES (self), NULL);
  return self->scanner_message;
}

const char *
till_devices_get_camera_message (TillDevices *self)
{
  g_return_val_if_fail (TILL_IS_DEVICES (self), NULL);
  return self->camera_message;
}

const char *
till_devices_get_scale_message (TillDevices *self)
{
  g_return_val_if_fail (TILL_IS_DEVICES (self), NULL);
  return self->scale_message;
}

/**
 * till_devices_retry:
 * The scale is opened again, the camera restarted if it is shown, and the pole
 * display gets its last picture again (its driver reopens the port). The serial
 * scanner reopens its port by itself.
 */
void
till_devices_retry (TillDevices *self)
{
  g_return_if_fail (TILL_IS_DEVICES (self));

  g_clear_handle_id (&self->retry_source, g_source_remove);
  start_scale_open (self);
  if (self->camera != NULL && self->camera_active)
    {
      TillCameraState state = till_camera_scanner_get_state (self->camera);

      if (state == TILL_CAMERA_STATE_NO_CAMERA || state == TILL_CAMERA_STATE_UNPLUGGED)
        till_camera_scanner_start (self->camera);
    }
  if (self->display != NULL && self->display_message != NULL && self->display_has_last)
    {
      TillPoleDisplayState state = self->display_last;
      post_display (self, &state);
    }
}

TillPoleDisplay *
till_devices_get_display (TillDevices *self)
{
  g_return_val_if_fail (TILL_IS_DEVICES (self), NULL);
  return self->display;
}

/**
 * till_devices_show_line:
 * The line just added or changed: its name (and the pinyin initials for a
 * display that cannot draw Chinese), its amount and the sale's total so far.
 */
void
till_devices_show_line (TillDevices *self, TillCartLine *line, gint64 cart_total)
{
  TillProduct         *product;
  g_autofree char     *ascii = NULL;
  TillPoleDisplayState state = { .screen = TILL_POLE_DISPLAY_SCREEN_ITEM };

  g_return_if_fail (TILL_IS_DEVICES (self));
  g_return_if_fail (TILL_IS_CART_LINE (line));

  g_clear_handle_id (&self->welcome_source, g_source_remove);
  if (self->display == NULL)
    return;
  product = till_cart_line_get_product (line);
  ascii = till_pinyin_initials (till_product_get_name (product));
  state.item_name = till_product_get_name (product);
  state.item_name_ascii = ascii;
  state.item_price = till_cart_line_get_amount (line);
  state.total = cart_total;
  post_display (self, &state);
}

void
till_devices_show_total (TillDevices *self, gint64 total)
{
  TillPoleDisplayState state = { .screen = TILL_POLE_DISPLAY_SCREEN_TOTAL, .total = total };

  g_return_if_fail (TILL_IS_DEVICES (self));
  g_clear_handle_id (&self->welcome_source, g_source_remove);
  post_display (self, &state);
}

/**
 * till_devices_show_sale_done:
 * The change, on the pole display and the customer window, until the next
 * customer (till_devices_show_next_customer()).
 */
void
till_devices_show_sale_done (TillDevices *self, gint64 total, gint64 paid, gint64 change)
{
  TillPoleDisplayState state = {
    .screen = TILL_POLE_DISPLAY_SCREEN_CHANGE, .total = total, .paid = paid, .change = change
  };

  g_return_if_fail (TILL_IS_DEVICES (self));
  g_clear_handle_id (&self->welcome_source, g_source_remove);
  post_display (self, &state);
  if (self->customer_window != NULL)
    till_customer_window_show_paid (TILL_CUSTOMER_WINDOW (self->customer_window), total, paid,
                                    change);
}

/**
 * till_devices_show_next_customer:
 * 谢谢光临 on the pole display, then 欢迎光临 after TILL_DEVICES_THANKS_MS
 * (unless an item comes first); the customer window's welcome page.
 */
void
till_devices_show_next_customer (TillDevices *self)
{
  g_return_if_fail (TILL_IS_DEVICES (self));

  g_clear_handle_id (&self->welcome_source, g_source_remove);
  post_screen (self, TILL_POLE_DISPLAY_SCREEN_THANKS);
  if (self->display != NULL)
    self->welcome_source = g_timeout_add (TILL_DEVICES_THANKS_MS, welcome_cb, self);
  if (self->customer_window != NULL)
    till_customer_window_show_idle (TILL_CUSTOMER_WINDOW (self->customer_window));
}

void
till_devices_show_welcome (TillDevices *self)
{
  g_return_if_fail (TILL_IS_DEVICES (self));

  g_clear_handle_id (&self->welcome_source, g_source_remove);
  post_screen (self, TILL_POLE_DISPLAY_SCREEN_WELCOME);
  if (self->customer_window != NULL)
    till_customer_window_show_idle (TILL_CUSTOMER_WINDOW (self->customer_window));
}

TillSerialScanner *
till_devices_get_scanner (TillDevices *self)
{
  g_return_val_if_fail (TILL_IS_DEVICES (self), NULL);
  return self->scanner;
}

TillCameraScanner *
till_devices_get_camera (TillDevices *self)
{
  g_return_val_if_fail (TILL_IS_DEVICES (self), NULL);
  return self->camera;
}

/**
 * till_devices_set_camera_active:
 * Starts the camera (in its worker thread) while its preview is shown, and
 * stops it when the preview closes: the light goes off and no code is read.
 */
void
till_devices_set_camera_active (TillDevices *self, gboolean active)
{
  g_return_if_fail (TILL_IS_DEVICES (self));

  self->camera_active = active;
  if (self->camera == NULL)
    return;
  if (active)
    till_camera_scanner_start (self->camera);
  else
    till_camera_scanner_stop (self->camera);
}

gboolean
till_devices_has_scale (TillDevices *self)
{
  g_return_val_if_fail (TILL_IS_DEVICES (self), FALSE);
  return self->scale_uri != NULL;
}

void
till_devices_set_scale_polling (TillDevices *self, gboolean polling)
{
  g_return_if_fail (TILL_IS_DEVICES (self));

  if (self->scale_polling == polling)
    return;
  self->scale_polling = polling;
  if (polling)
    start_scale_read (self);
  else
    g_clear_handle_id (&self->scale_source, g_source_remove);
}

gboolean
till_devices_get_scale_reading (TillDevices      *self,
                                TillScaleReading *out_reading,
                                gint64           *out_age_us)
{
  g_return_val_if_fail (TILL_IS_DEVICES (self), FALSE);

  if (self->scale_last_us == 0)
    return FALSE;
  if (out_reading != NULL)
    *out_reading = self->scale_last;
  if (out_age_us != NULL)
    *out_age_us = g_get_monotonic_time () - self->scale_last_us;
  return TRUE;
}

void
till_devices_attach_window (TillDevices *self, GtkWindow *till_window, TillCart *cart)
{
  g_return_if_fail (TILL_IS_DEVICES (self));
  g_return_if_fail (GTK_IS_WINDOW (till_window));
  g_return_if_fail (TILL_IS_CART (cart));

  g_set_weak_pointer (&self->till_window, till_window);
  g_set_object (&self->cart, cart);
  if (self->monitors == NULL)
    {
      self->monitors = g_object_ref (
          gdk_display_get_monitors (gtk_widget_get_display (GTK_WIDGET (till_window))));
      g_signal_connect_swapped (self->monitors, "items-changed", G_CALLBACK (monitors_changed_cb),
                                self);
    }
  /* The till window's monitor is known once it is shown. */
  g_signal_connect_object (till_window, "map", G_CALLBACK (monitors_changed_cb), self,
                           G_CONNECT_SWAPPED);
  update_customer_window (self);
}

GtkWindow *
till_devices_get_customer_window (TillDevices *self)
{
  g_return_val_if_fail (TILL_IS_DEVICES (self), NULL);
  return self->customer_window;
}

const char *
till_devices_get_wedge_prefix (TillDevices *self)
{
  g_return_val_if_fail (TILL_IS_DEVICES (self), NULL);
  return self->wedge_prefix;
}

gunichar
till_devices_get_wedge_suffix (TillDevices *self)
{
  g_return_val_if_fail (TILL_IS_DEVICES (self), '\r');
  return self->wedge_suffix != 0 ? self->wedge_suffix : '\r';
}
