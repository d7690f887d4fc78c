/* till-device-settings-view.c: the manager's screen for the till's devices
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-app"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <string.h>

#include <till-hw.h>
#include <till-receipt.h>

#include "till-device-settings-view.h"
#include "till-printer-monitor.h"
#include "till-ui-util.h"

/* How long a scale has to answer the test read. */
#define SCALE_TEST_TIMEOUT_MS 1500

typedef enum
{
  MODE_NONE,
  MODE_PRINTER, /* the drawer, kicked through the printer */
  MODE_SERIAL,
  MODE_TCP,
  MODE_USB,
  MODE_CUPS,
  MODE_URI, /* typed by store IT */
  N_MODES,
} Mode;

static const char *const mode_names[N_MODES] = {
  "none", "printer", "serial", "tcp", "usb", "cups", "uri",
};

/* Which kinds of connection each device can have. */
static const guint device_modes[TILL_N_DEVICES] = {
  [TILL_DEVICE_PRINTER] = 1 << MODE_NONE | 1 << MODE_SERIAL | 1 << MODE_TCP | 1 << MODE_USB |
                          1 << MODE_CUPS | 1 << MODE_URI,
  [TILL_DEVICE_DRAWER] =
      1 << MODE_PRINTER | 1 << MODE_SERIAL | 1 << MODE_TCP | 1 << MODE_USB | 1 << MODE_URI,
  [TILL_DEVICE_SCALE] = 1 << MODE_NONE | 1 << MODE_SERIAL | 1 << MODE_TCP | 1 << MODE_URI,
  [TILL_DEVICE_DISPLAY] = 1 << MODE_NONE | 1 << MODE_SERIAL | 1 << MODE_TCP | 1 << MODE_URI,
  [TILL_DEVICE_SCANNER] = 1 << MODE_NONE | 1 << MODE_SERIAL | 1 << MODE_TCP | 1 << MODE_URI,
  [TILL_DEVICE_CAMERA] = 1 << MODE_NONE | 1 << MODE_URI,
};

static const char *const bauds[] = { "1200",  "2400",  "4800",   "9600", "19200",
                                     "38400", "57600", "115200", NULL };
static const char *const display_protocols[] = { "led8", "cd5220", "epson", NULL };
static const char *const widths[] = { "", "80", "58" };

typedef struct
{
  GtkWidget *uri_label;
  GtkWidget *state_label;
  GtkWidget *result_label;
  GtkWidget *test_button;
  char      *result;
  gboolean   result_ok;
  gboolean   testing;
} Row;

struct _TillDeviceSettingsView
{
  AdwBin parent_instance;

  /* template children */
  GtkWidget *page_stack;
  GtkWidget *device_list;
  GtkWidget *message_label;
  GtkWidget *form_title;
  GtkWidget *mode_box;
  GtkWidget *serial_port_label;
  GtkWidget *serial_port_entry;
  GtkWidget *serial_port_choice;
  GtkWidget *baud_label;
  GtkWidget *baud_choice;
  GtkWidget *host_label;
  GtkWidget *host_entry;
  GtkWidget *tcp_port_spin;
  GtkWidget *usb_label;
  GtkWidget *usb_entry;
  GtkWidget *usb_choice;
  GtkWidget *cups_label;
  GtkWidget *cups_entry;
  GtkWidget *cups_choice;
  GtkWidget *protocol_label;
  GtkWidget *protocol_choice;
  GtkWidget *preset_label;
  GtkWidget *preset_choice;
  GtkWidget *width_label;
  GtkWidget *width_choice;
  GtkWidget *uri_entry;
  GtkWidget *form_message;

  GtkWidget *mode_buttons[N_MODES];

  TillApplication *application;
  TillConfig      *pending; /* the settings on screen */
  Row              rows[TILL_N_DEVICES];
  char            *message;
  GCancellable    *cancellable;

  /* The form */
  TillDeviceKind     editing;
  Mode               mode;
  GPtrArray         *extra_params; /* key, value, …: options the form does not show, kept */
  gboolean           filling;      /* the form is being filled: no URI rebuilt meanwhile */
  GPtrArray         *port_values;  /* what each choice of the drop-downs puts in its entry */
  GPtrArray         *usb_values;
  GPtrArray         *cups_values;
  const char *const *protocols; /* of the device edited (NULL: none) */
};

G_DEFINE_FINAL_TYPE (TillDeviceSettingsView, till_device_settings_view, ADW_TYPE_BIN)

enum
{
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *
mode_label (Mode mode)
{
  switch (mode)
    {
    case MODE_NONE:
      return _ ("Not used");
    case MODE_PRINTER:
      return _ ("Through the printer");
    case MODE_SERIAL:
      return _ ("Serial port");
    case MODE_TCP:
      return _ ("Network");
    case MODE_USB:
      return _ ("USB");
    case MODE_CUPS:
      return _ ("CUPS");
    case MODE_URI:
      return _ ("Type a URI");
    case N_MODES:
    default:
      g_assert_not_reached ();
    }
}

static gboolean
kind_from_key (const char *key, TillDeviceKind *out_kind)
{
  for (guint kind = 0; kind < TILL_N_DEVICES; kind++)
    if (g_strcmp0 (till_device_kind_to_key (kind), key) == 0)
      {
        *out_kind = kind;
        return TRUE;
      }
  return FALSE;
}

static void
set_message (TillDeviceSettingsView *self, const char *message, gboolean is_error)
{
  g_free (self->message);
  self->message = g_strdup (message != NULL ? message : "");
  gtk_label_set_text (GTK_LABEL (self->message_label), self->message);
  gtk_widget_set_visible (self->message_label, message != NULL && *message != '\0');
  if (is_error)
    gtk_widget_add_css_class (self->message_label, "error");
  else
    gtk_widget_remove_css_class (self->message_label, "error");
}

/* ---- Live state ------------------------------------------------------------ */

static const char *
running_uri (TillDeviceSettingsView *self, TillDeviceKind kind)
{
  const TillConfig *config =
      self->application != NULL ? till_application_get_config (self->application) : NULL;

  return config != NULL ? till_config_get_device_uri (config, kind) : NULL;
}

/* What the device is doing, from the printer monitor and TillDevices. */
static char *
describe_state (TillDeviceSettingsView *self, TillDeviceKind kind, gboolean *out_trouble)
{
  TillPrinterMonitor *monitor = NULL;
  TillDevices        *devices = NULL;
  const char         *message = NULL;
  const char         *uri = till_config_get_device_uri (self->pending, kind);

  *out_trouble = FALSE;
  if (self->application != NULL)
    {
      monitor = till_application_get_printer_monitor (self->application);
      devices = till_application_get_devices (self->application);
    }
  if (g_strcmp0 (uri, running_uri (self, kind)) != 0)
    return g_strdup (_ ("Changed, not saved yet"));
  if (uri == NULL)
    return g_strdup (_ ("Not used"));
  if (kind == TILL_DEVICE_DRAWER && g_str_equal (uri, "printer"))
    return g_strdup (_ ("Opened through the printer"));
  switch (kind)
    {
    case TILL_DEVICE_PRINTER:
    case TILL_DEVICE_DRAWER:
      if (monitor == NULL)
        return g_strdup ("");
      message = till_printer_monitor_get_message (monitor);
      switch (till_printer_monitor_get_state (monitor))
        {
        case TILL_PRINTER_STATE_TROUBLE:
          *out_trouble = TRUE;
          return g_strdup (message);
        case TILL_PRINTER_STATE_PRINTING:
          return g_strdup (_ ("Printing…"));
        case TILL_PRINTER_STATE_READY:
        case TILL_PRINTER_STATE_NONE:
        default:
          return g_strdup (message != NULL ? message : _ ("Ready"));
        }
    case TILL_DEVICE_SCALE:
      message = devices != NULL ? till_devices_get_scale_message (devices) : NULL;
      break;
    case TILL_DEVICE_DISPLAY:
      message = devices != NULL ? till_devices_get_display_message (devices) : NULL;
      break;
    case TILL_DEVICE_SCANNER:
      message = devices != NULL ? till_devices_get_scanner_message (devices) : NULL;
      break;
    case TILL_DEVICE_CAMERA:
      message = devices != NULL ? till_devices_get_camera_message (devices) : NULL;
      break;
    case TILL_N_DEVICES:
    default:
      g_assert_not_reached ();
    }
  *out_trouble = message != NULL;
  return g_strdup (message != NULL ? message : _ ("Ready"));
}

static void
update_row (TillDeviceSettingsView *self, TillDeviceKind kind)
{
  Row             *row = &self->rows[kind];
  const char      *uri = till_config_get_device_uri (self->pending, kind);
  gboolean         trouble;
  g_autofree char *state = describe_state (self, kind, &trouble);

  gtk_label_set_text (GTK_LABEL (row->uri_label), uri != NULL ? uri : "—");
  gtk_label_set_text (GTK_LABEL (row->state_label), state);
  if (trouble)
    gtk_widget_add_css_class (row->state_label, "error");
  else
    gtk_widget_remove_css_class (row->state_label, "error");

  if (row->testing)
    gtk_label_set_text (GTK_LABEL (row->result_label), _ ("Testing…"));
  else
    gtk_label_set_text (GTK_LABEL (row->result_label), row->result != NULL ? row->result : "");
  gtk_widget_remove_css_class (row->result_label, "success");
  gtk_widget_remove_css_class (row->result_label, "error");
  if (row->result != NULL && !row->testing)
    gtk_widget_add_css_class (row->result_label, row->result_ok ? "success" : "error");
  gtk_widget_set_sensitive (row->test_button, !row->testing && uri != NULL);
}

static void
update_rows (TillDeviceSettingsView *self)
{
  if (self->pending == NULL)
    return;
  for (guint kind = 0; kind < TILL_N_DEVICES; kind++)
    update_row (self, kind);
}

static GtkWidget *
new_label (const char *css_class, gboolean wrap)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (wrap)
    {
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
    }
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

/* One line of the list: name, URI and state; the test's result; Test, Change. */
static void
build_rows (TillDeviceSettingsView *self)
{
  for (guint kind = 0; kind < TILL_N_DEVICES; kind++)
    {
      Row        *row = &self->rows[kind];
      GtkWidget  *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 16);
      GtkWidget  *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
      GtkWidget  *name = new_label ("device-name", FALSE);
      GtkWidget  *edit = gtk_button_new_with_label (_ ("Edit"));
      const char *key = till_device_kind_to_key (kind);

      gtk_widget_add_css_class (box, "device-row");
      gtk_label_set_text (GTK_LABEL (name), till_device_kind_get_label (kind));
      row->uri_label = new_label ("device-uri", TRUE);
      row->state_label = new_label ("device-state", TRUE);
      row->result_label = new_label ("device-result", TRUE);
      gtk_widget_set_hexpand (text, TRUE);
      gtk_widget_set_size_request (row->result_label, 260, -1);
      gtk_box_append (GTK_BOX (text), name);
      gtk_box_append (GTK_BOX (text), row->uri_label);
      gtk_box_append (GTK_BOX (text), row->state_label);
      gtk_box_append (GTK_BOX (box), text);
      gtk_box_append (GTK_BOX (box), row->result_label);

      row->test_button = gtk_button_new_with_label (_ ("Test"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (row->test_button), "devices.test");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (row->test_button), "s", key);
      gtk_widget_add_css_class (row->test_button, "settings-button");
      gtk_widget_set_valign (row->test_button, GTK_ALIGN_CENTER);
      /* The camera is tried on the sale screen, where its preview is. */
      gtk_widget_set_visible (row->test_button, kind != TILL_DEVICE_CAMERA);
      gtk_box_append (GTK_BOX (box), row->test_button);

      gtk_actionable_set_action_name (GTK_ACTIONABLE (edit), "devices.edit");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (edit), "s", key);
      gtk_widget_add_css_class (edit, "settings-button");
      gtk_widget_set_valign (edit, GTK_ALIGN_CENTER);
      gtk_box_append (GTK_BOX (box), edit);

      gtk_list_box_append (GTK_LIST_BOX (self->device_list), box);
    }
}

/* ---- Lists of ports, USB devices and queues (worker thread) ---------------- */

typedef struct
{
  GPtrArray *ports;
  GPtrArray *usb;
  GPtrArray *cups;
} Found;

static void
found_free (Found *found)
{
  g_clear_pointer (&found->ports, g_ptr_array_unref);
  g_clear_pointer (&found->usb, g_ptr_array_unref);
  g_clear_pointer (&found->cups, g_ptr_array_unref);
  g_free (found);
}

static void
find_devices_thread_cb (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Found *found = g_new0 (Found, 1);
  g_autoptr (GError) error = NULL;

  /* Each list is optional: a missing CUPS server or libusb is no failure. */
  found->ports = till_transport_serial_list_ports (&error);
  if (found->ports == NULL)
    g_debug ("No serial ports: %s", error->message);
  g_clear_error (&error);
  found->usb = till_transport_usb_list_devices (&error);
  if (found->usb == NULL)
    g_debug ("No USB devices: %s", error->message);
  g_clear_error (&error);
  found->cups = till_transport_cups_list_queues (&error);
  if (found->cups == NULL)
    g_debug ("No CUPS queues: %s", error->message);
  g_task_return_pointer (task, found, (GDestroyNotify) found_free);
}

/* Fills a drop-down with "Choose…" and @labels; @values the entry texts. */
static void
fill_choice (GtkWidget *choice, GPtrArray *labels)
{
  g_autoptr (GtkStringList) model = gtk_string_list_new (NULL);

  gtk_string_list_append (model, _ ("Choose…"));
  for (guint i = 0; i < labels->len; i++)
    gtk_string_list_append (model, g_ptr_array_index (labels, i));
  gtk_drop_down_set_model (GTK_DROP_DOWN (choice), G_LIST_MODEL (model));
  gtk_drop_down_set_selected (GTK_DROP_DOWN (choice), 0);
}

static void
find_devices_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Found                  *found = g_task_propagate_pointer (G_TASK (result), NULL);
  TillDeviceSettingsView *self;
  g_autoptr (GPtrArray) port_labels = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) usb_labels = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) cups_labels = g_ptr_array_new_with_free_func (g_free);

  if (found == NULL)
    return; /* cancelled: the view is gone */
  self = TILL_DEVICE_SETTINGS_VIEW (source);
  g_ptr_array_set_size (self->port_values, 0);
  g_ptr_array_set_size (self->usb_values, 0);
  g_ptr_array_set_size (self->cups_values, 0);
  for (guint i = 0; found->ports != NULL && i < found->ports->len; i++)
    {
      TillSerialPortInfo *port = g_ptr_array_index (found->ports, i);

      g_ptr_array_add (self->port_values, g_strdup (port->path));
      g_ptr_array_add (port_labels, g_strdup_printf ("%s  %s", port->path,
                                                     port->description ? port->description : ""));
    }
  for (guint i = 0; found->usb != NULL && i < found->usb->len; i++)
    {
      TillUsbDeviceInfo *usb = g_ptr_array_index (found->usb, i);
      g_autofree char   *id = g_strdup_printf ("%04x:%04x", usb->vendor_id, usb->product_id);

      g_ptr_array_add (usb_labels,
                       g_strdup_printf ("%s  %s%s", id, usb->product ? usb->product : "",
                                        usb->is_printer ? _ (" (printer)") : ""));
      g_ptr_array_add (self->usb_values, g_steal_pointer (&id));
    }
  for (guint i = 0; found->cups != NULL && i < found->cups->len; i++)
    {
      TillCupsQueueInfo *queue = g_ptr_array_index (found->cups, i);

      g_ptr_array_add (self->cups_values, g_strdup (queue->name));
      g_ptr_array_add (cups_labels,
                       g_strdup_printf ("%s  %s", queue->name, queue->info ? queue->info : ""));
    }
  self->filling = TRUE;
  fill_choice (self->serial_port_choice, port_labels);
  fill_choice (self->usb_choice, usb_labels);
  fill_choice (self->cups_choice, cups_labels);
  self->filling = FALSE;
  found_free (found);
}

static void
find_devices (TillDeviceSettingsView *self)
{
  g_autoptr (GTask) task = g_task_new (self, self->cancellable, find_devices_done_cb, NULL);

  g_task_set_source_tag (task, find_devices);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, find_devices_thread_cb);
}

/* ---- The form ---------------------------------------------------------------- */

static void
set_choice_strings (GtkWidget *choice, const char *first, const char *const *strings)
{
  g_autoptr (GtkStringList) model = gtk_string_list_new (NULL);

  if (first != NULL)
    gtk_string_list_append (model, first);
  for (guint i = 0; strings != NULL && strings[i] != NULL; i++)
    gtk_string_list_append (model, strings[i]);
  gtk_drop_down_set_model (GTK_DROP_DOWN (choice), G_LIST_MODEL (model));
}

/* The index of @value in @strings (+1 for a first "default" entry), or 0. */
static guint
index_of (const char *const *strings, const char *value, guint offset)
{
  for (guint i = 0; value != NULL && strings != NULL && strings[i] != NULL; i++)
    if (g_str_equal (strings[i], value))
      return i + offset;
  return 0;
}

static const char *
choice_value (GtkWidget *choice, const char *const *strings, guint offset)
{
  guint selected = gtk_drop_down_get_selected (GTK_DROP_DOWN (choice));

  if (strings == NULL || selected == GTK_INVALID_LIST_POSITION || selected < offset)
    return "";
  return strings[selected - offset];
}

static void
show_fields (TillDeviceSettingsView *self)
{
  Mode     mode = self->mode;
  gboolean printer = self->editing == TILL_DEVICE_PRINTER;
  gboolean protocol = self->protocols != NULL && mode != MODE_NONE && mode != MODE_URI;
  struct
  {
    GtkWidget *widget;
    gboolean   visible;
  } fields[] = {
    { self->serial_port_label, mode == MODE_SERIAL },
    { self->serial_port_entry, mode == MODE_SERIAL },
    { self->serial_port_choice, mode == MODE_SERIAL },
    { self->baud_label, mode == MODE_SERIAL },
    { self->baud_choice, mode == MODE_SERIAL },
    { self->host_label, mode == MODE_TCP },
    { self->host_entry, mode == MODE_TCP },
    { self->tcp_port_spin, mode == MODE_TCP },
    { self->usb_label, mode == MODE_USB },
    { self->usb_entry, mode == MODE_USB },
    { self->usb_choice, mode == MODE_USB },
    { self->cups_label, mode == MODE_CUPS },
    { self->cups_entry, mode == MODE_CUPS },
    { self->cups_choice, mode == MODE_CUPS },
    { self->protocol_label, protocol },
    { self->protocol_choice, protocol },
    { self->preset_label, printer && mode != MODE_NONE && mode != MODE_URI },
    { self->preset_choice, printer && mode != MODE_NONE && mode != MODE_URI },
    { self->width_label, printer && mode != MODE_NONE && mode != MODE_URI },
    { self->width_choice, printer && mode != MODE_NONE && mode != MODE_URI },
  };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    gtk_widget_set_visible (fields[i].widget, fields[i].visible);
  /* Store IT types the URI; otherwise it shows what the fields make. */
  gtk_editable_set_editable (GTK_EDITABLE (self->uri_entry), mode == MODE_URI);
  gtk_widget_set_sensitive (self->uri_entry, mode != MODE_NONE && mode != MODE_PRINTER);
  for (guint m = 0; m < N_MODES; m++)
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->mode_buttons[m]), m == mode);
}

/* The URI the form's fields make. */
static void
rebuild_uri (TillDeviceSettingsView *self)
{
  g_autoptr (GPtrArray) query = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *target = NULL;
  g_autofree char *uri = NULL;
  const char      *scheme = NULL;

  if (self->filling || self->mode == MODE_URI)
    return;
  switch (self->mode)
    {
    case MODE_NONE:
      gtk_editable_set_text (GTK_EDITABLE (self->uri_entry), "");
      return;
    case MODE_PRINTER:
      gtk_editable_set_text (GTK_EDITABLE (self->uri_entry), "printer");
      return;
    case MODE_SERIAL:
      scheme = "serial";
      target =
          g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->serial_port_entry))));
      g_ptr_array_add (query, g_strdup ("baud"));
      g_ptr_array_add (query, g_strdup (choice_value (self->baud_choice, bauds, 1)));
      break;
    case MODE_TCP:
      scheme = "tcp";
      target = g_strdup_printf (
          "%s:%d", g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->host_entry)))),
          gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->tcp_port_spin)));
      break;
    case MODE_USB:
      scheme = "usb";
      target = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->usb_entry))));
      break;
    case MODE_CUPS:
      scheme = "cups";
      target = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->cups_entry))));
      break;
    case MODE_URI:
    case N_MODES:
    default:
      g_assert_not_reached ();
    }
  if (self->protocols != NULL)
    {
      g_ptr_array_add (query, g_strdup ("protocol"));
      g_ptr_array_add (query, g_strdup (choice_value (self->protocol_choice, self->protocols, 0)));
    }
  if (self->editing == TILL_DEVICE_PRINTER)
    {
      g_ptr_array_add (query, g_strdup ("profile"));
      g_ptr_array_add (query, g_strdup (choice_value (self->preset_choice,
                                                      till_printer_profile_list_presets (), 1)));
      g_ptr_array_add (query, g_strdup ("width"));
      g_ptr_array_add (query, g_strdup (choice_value (self->width_choice, widths, 0)));
    }
  for (guint i = 0; i < self->extra_params->len; i++)
    g_ptr_array_add (query, g_strdup (g_ptr_array_index (self->extra_params, i)));
  g_ptr_array_add (query, NULL);
  uri = till_config_build_device_uri (scheme, target, (const char *const *) query->pdata);
  gtk_editable_set_text (GTK_EDITABLE (self->uri_entry), uri);
}

static void
field_changed_cb (TillDeviceSettingsView *self)
{
  rebuild_uri (self);
}

/* A drop-down of things found puts its choice in the entry beside it. */
static void
found_choice_cb (GtkDropDown *choice, GParamSpec *pspec, TillDeviceSettingsView *self)
{
  guint      selected = gtk_drop_down_get_selected (choice);
  GPtrArray *values = GTK_WIDGET (choice) == self->serial_port_choice ? self->port_values
                      : GTK_WIDGET (choice) == self->usb_choice       ? self->usb_values
                                                                      : self->cups_values;
  GtkWidget *entry = GTK_WIDGET (choice) == self->serial_port_choice ? self->serial_port_entry
                     : GTK_WIDGET (choice) == self->usb_choice       ? self->usb_entry
                                                                     : self->cups_entry;

  if (self->filling || selected == 0 || selected == GTK_INVALID_LIST_POSITION ||
      selected > values->len)
    return;
  gtk_editable_set_text (GTK_EDITABLE (entry), g_ptr_array_index (values, selected - 1));
}

/* Fills the form from @uri: the fields it knows, the other options kept. */
static void
fill_form (TillDeviceSettingsView *self, const char *uri)
{
  g_autoptr (GUri) parsed = NULL;
  g_autofree char *target = NULL;
  const char      *scheme = NULL;
  const char      *query = NULL;
  const char      *baud = NULL;
  const char      *protocol = NULL;
  const char      *profile = NULL;
  const char      *width = NULL;
  g_autoptr (GHashTable) params = NULL;

  self->filling = TRUE;
  g_ptr_array_set_size (self->extra_params, 0);
  gtk_editable_set_text (GTK_EDITABLE (self->uri_entry), uri != NULL ? uri : "");
  gtk_widget_set_visible (self->form_message, FALSE);

  if (uri != NULL)
    parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED_QUERY | G_URI_FLAGS_PARSE_RELAXED, NULL);
  if (parsed != NULL)
    {
      const char *start = strstr (uri, "://");
      const char *end;

      scheme = g_uri_get_scheme (parsed);
      query = g_uri_get_query (parsed);
      if (start != NULL)
        {
          start += 3;
          end = strchr (start, '?');
          target = end != NULL ? g_strndup (start, (gsize) (end - start)) : g_strdup (start);
        }
    }
  if (query != NULL)
    {
      GUriParamsIter iter;
      char          *key;
      char          *value;

      params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_uri_params_iter_init (&iter, query, -1, "&", G_URI_PARAMS_NONE);
      while (g_uri_params_iter_next (&iter, &key, &value, NULL))
        {
          gboolean managed = (g_str_equal (key, "baud") && g_strcmp0 (scheme, "serial") == 0) ||
                             (g_str_equal (key, "protocol") && self->protocols != NULL) ||
                             ((g_str_equal (key, "profile") || g_str_equal (key, "width")) &&
                              self->editing == TILL_DEVICE_PRINTER);

          if (managed)
            g_hash_table_replace (params, key, value);
          else
            {
              g_ptr_array_add (self->extra_params, key);
              g_ptr_array_add (self->extra_params, value);
            }
        }
      baud = g_hash_table_lookup (params, "baud");
      protocol = g_hash_table_lookup (params, "protocol");
      profile = g_hash_table_lookup (params, "profile");
      width = g_hash_table_lookup (params, "width");
    }

  gtk_editable_set_text (GTK_EDITABLE (self->serial_port_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->host_entry), "");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->tcp_port_spin), 9100);
  gtk_editable_set_text (GTK_EDITABLE (self->usb_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->cups_entry), "");
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->baud_choice), index_of (bauds, baud, 1));
  set_choice_strings (self->protocol_choice, NULL, self->protocols);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->protocol_choice),
                              index_of (self->protocols, protocol, 0));
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->preset_choice),
                              index_of (till_printer_profile_list_presets (), profile, 1));
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->width_choice), g_strcmp0 (width, "80") == 0 ? 1
                                                                  : g_strcmp0 (width, "58") == 0
                                                                      ? 2
                                                                      : 0);

  if (uri == NULL)
    self->mode = MODE_NONE;
  else if (self->editing == TILL_DEVICE_DRAWER && g_str_equal (uri, "printer"))
    self->mode = MODE_PRINTER;
  else if (g_strcmp0 (scheme, "serial") == 0 && target != NULL)
    {
      g_autofree char *path = g_uri_unescape_string (target, NULL);

      self->mode = MODE_SERIAL;
      gtk_editable_set_text (GTK_EDITABLE (self->serial_port_entry), path != NULL ? path : target);
    }
  else if (g_strcmp0 (scheme, "tcp") == 0 && g_uri_get_host (parsed) != NULL)
    {
      self->mode = MODE_TCP;
      gtk_editable_set_text (GTK_EDITABLE (self->host_entry), g_uri_get_host (parsed));
      if (g_uri_get_port (parsed) > 0)
        gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->tcp_port_spin), g_uri_get_port (parsed));
    }
  else if (g_strcmp0 (scheme, "usb") == 0 && target != NULL)
    {
      self->mode = MODE_USB;
      gtk_editable_set_text (GTK_EDITABLE (self->usb_entry), target);
    }
  else if (g_strcmp0 (scheme, "cups") == 0 && target != NULL)
    {
      g_autofree char *queue = g_uri_unescape_string (target, NULL);

      self->mode = MODE_CUPS;
      gtk_editable_set_text (GTK_EDITABLE (self->cups_entry), queue != NULL ? queue : target);
    }
  else
    self->mode = MODE_URI;
  if (!(device_modes[self->editing] & (1u << self->mode)))
    self->mode = MODE_URI;
  self->filling = FALSE;
  show_fields (self);
}

static void
mode_toggled_cb (GtkToggleButton *button, TillDeviceSettingsView *self)
{
  /* Radio-like: a press on the active one keeps it on. */
  if (!gtk_toggle_button_get_active (button) && !self->filling)
    {
      for (guint m = 0; m < N_MODES; m++)
        if (self->mode_buttons[m] == GTK_WIDGET (button) && m == self->mode)
          gtk_toggle_button_set_active (button, TRUE);
    }
}

/* ---- Device tests (worker threads) ---------------------------------------- */

typedef struct
{
  TillDeviceKind kind;
  char          *uri;
  char          *printer_uri;
} TestData;

static void
test_data_free (TestData *data)
{
  g_free (data->uri);
  g_free (data->printer_uri);
  g_free (data);
}

static char *
run_test (TestData *data, GCancellable *cancellable, GError **error)
{
  switch (data->kind)
    {
    case TILL_DEVICE_PRINTER:
      {
        g_autoptr (GBytes) page = till_receipt_encode_test_page (data->uri, error);

        if (page == NULL || !till_transport_print_bytes (data->uri, page, cancellable, error))
          return NULL;
        return g_strdup (_ ("Test page printed."));
      }
    case TILL_DEVICE_DRAWER:
      {
        const char *target = g_str_equal (data->uri, "printer") ? data->printer_uri : data->uri;
        g_autoptr (TillPrinterProfile) profile = NULL;
        g_autoptr (GBytes) kick = NULL;

        if (target == NULL)
          {
            g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                                 _ ("The drawer is on the printer, and there is no printer."));
            return NULL;
          }
        if (data->printer_uri != NULL)
          profile = till_printer_profile_new_from_uri (data->printer_uri, NULL);
        if (profile == NULL)
          profile = till_printer_profile_new (TILL_PAPER_80MM);
        kick = till_receipt_encode_drawer_kick (profile);
        if (!till_transport_print_bytes (target, kick, cancellable, error))
          return NULL;
        return g_strdup (_ ("Drawer pulse sent."));
      }
    case TILL_DEVICE_SCALE:
      {
        g_autoptr (TillScale) scale = till_scale_open (data->uri, error);
        TillScaleReading reading = { 0 };
        gboolean         ok;

        if (scale == NULL)
          return NULL;
        ok = till_scale_read (scale, SCALE_TEST_TIMEOUT_MS, &reading, error);
        till_scale_close (scale, NULL);
        if (!ok)
          return NULL;
        if (reading.state == TILL_SCALE_STATE_NO_ANSWER)
          {
            g_set_error_literal (error, TILL_SCALE_ERROR, TILL_SCALE_ERROR_NO_ANSWER,
                                 _ ("The scale does not answer."));
            return NULL;
          }
        return g_strdup_printf (_ ("Scale reads %s%" PRId64 ".%03" PRId64 " kg (%s)."),
                                reading.weight < 0 ? "-" : "", ABS (reading.weight) / 1000,
                                ABS (reading.weight) % 1000,
                                till_scale_state_to_string (reading.state));
      }
    case TILL_DEVICE_DISPLAY:
      {
        g_autoptr (TillPoleDisplay) display = till_pole_display_new (data->uri, error);
        gboolean ok;

        if (display == NULL)
          return NULL;
        if (till_pole_display_get_rows (display) >= 2)
          ok = till_pole_display_write_line (display, 1, "OPENTILL TEST", error) &&
               till_pole_display_write_line (display, 2, "0123456789", error);
        else
          /* Every segment lit; one lamp (most LEDs light one at a time). */
          ok = till_pole_display_show_number (display, 888888, TILL_POLE_DISPLAY_LAMP_PRICE, error);
        if (!ok)
          {
            till_pole_display_close (display, NULL);
            return NULL;
          }
        if (!till_pole_display_close (display, error))
          return NULL;
        return g_strdup (_ ("Test line shown on the display."));
      }
    case TILL_DEVICE_SCANNER:
      {
        g_autoptr (TillSerialScanner) scanner = till_serial_scanner_new (data->uri, error);
        g_autoptr (TillTransport) transport = NULL;

        if (scanner == NULL)
          return NULL;
        transport = till_transport_open (till_serial_scanner_get_transport_uri (scanner), error);
        if (transport == NULL || !till_transport_close (transport, error))
          return NULL;
        return g_strdup (_ ("The port opens: scan a code on the sale screen to try it."));
      }
    case TILL_DEVICE_CAMERA:
    case TILL_N_DEVICES:
    default:
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           _ ("This device has no test here."));
      return NULL;
    }
}

static void
test_thread_cb (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;
  char   *result = run_test (task_data, cancellable, &error);

  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, g_free);
}

static void
test_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  TillDeviceSettingsView *self = TILL_DEVICE_SETTINGS_VIEW (source);
  TestData               *data = g_task_get_task_data (G_TASK (result));
  Row                    *row = &self->rows[data->kind];
  g_autoptr (GError) error = NULL;
  char *text = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  row->testing = FALSE;
  g_free (row->result);
  row->result_ok = text != NULL;
  row->result = text != NULL ? text : g_strdup (error->message);
  if (text == NULL)
    g_message ("Test of %s failed: %s", data->uri, error->message);
  update_row (self, data->kind);
}

/* ---- Actions ------------------------------------------------------------------ */

static void
edit_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillDeviceSettingsView *self = TILL_DEVICE_SETTINGS_VIEW (widget);
  TillDeviceKind          kind;
  g_autofree char        *title = NULL;

  if (self->pending == NULL || !kind_from_key (g_variant_get_string (parameter, NULL), &kind))
    return;
  self->editing = kind;
  self->protocols = kind == TILL_DEVICE_SCALE     ? till_scale_list_protocols ()
                    : kind == TILL_DEVICE_DISPLAY ? display_protocols
                                                  : NULL;
  for (guint m = 0; m < N_MODES; m++)
    gtk_widget_set_visible (self->mode_buttons[m], device_modes[kind] & (1u << m));
  title = g_strdup_printf (_ ("%s: connection"), till_device_kind_get_label (kind));
  gtk_label_set_text (GTK_LABEL (self->form_title), title);
  fill_form (self, till_config_get_device_uri (self->pending, kind));
  set_message (self, NULL, FALSE);
  gtk_stack_set_visible_child_name (GTK_STACK (self->page_stack), "edit");
}

static void
mode_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillDeviceSettingsView *self = TILL_DEVICE_SETTINGS_VIEW (widget);
  const char             *name = g_variant_get_string (parameter, NULL);

  for (guint m = 0; m < N_MODES; m++)
    if (g_str_equal (mode_names[m], name) && (device_modes[self->editing] & (1u << m)))
      {
        self->mode = m;
        show_fields (self);
        rebuild_uri (self);
        return;
      }
}

static void
form_done_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillDeviceSettingsView *self = TILL_DEVICE_SETTINGS_VIEW (widget);
  g_autofree char        *uri =
      g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->uri_entry))));
  g_autoptr (GError) error = NULL;

  /* Invalid settings never reach the list, let alone the file. */
  if (!till_config_validate_device_uri (self->editing, uri, &error))
    {
      gtk_label_set_text (GTK_LABEL (self->form_message), error->message);
      gtk_widget_set_visible (self->form_message, TRUE);
      /* Said once, under the form; kept for get_message(). */
      g_free (self->message);
      self->message = g_strdup (error->message);
      return;
    }
  till_config_set_device_uri (self->pending, self->editing, uri);
  g_clear_pointer (&self->rows[self->editing].result, g_free);
  set_message (self, NULL, FALSE);
  gtk_stack_set_visible_child_name (GTK_STACK (self->page_stack), "list");
  update_rows (self);
}

static void
form_cancel_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillDeviceSettingsView *self = TILL_DEVICE_SETTINGS_VIEW (widget);

  set_message (self, NULL, FALSE);
  gtk_stack_set_visible_child_name (GTK_STACK (self->page_stack), "list");
}

static void
test_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillDeviceSettingsView *self = TILL_DEVICE_SETTINGS_VIEW (widget);
  TillDeviceKind          kind;
  Row                    *row;
  const char             *uri;
  g_autoptr (GError) error = NULL;
  g_autoptr (GTask) task = NULL;
  TestData *data;

  if (self->pending == NULL || !kind_from_key (g_variant_get_string (parameter, NULL), &kind))
    return;
  row = &self->rows[kind];
  uri = till_config_get_device_uri (self->pending, kind);
  if (row->testing || uri == NULL)
    return;
  g_clear_pointer (&row->result, g_free);
  if (!till_config_validate_device_uri (kind, uri, &error))
    {
      row->result = g_strdup (error->message);
      row->result_ok = FALSE;
      update_row (self, kind);
      return;
    }
  data = g_new0 (TestData, 1);
  data->kind = kind;
  data->uri = g_strdup (uri);
  data->printer_uri = g_strdup (self->pending->printer_uri);
  row->testing = TRUE;
  update_row (self, kind);
  task = g_task_new (self, self->cancellable, test_done_cb, NULL);
  g_task_set_source_tag (task, test_action);
  g_task_set_task_data (task, data, (GDestroyNotify) test_data_free);
  g_task_run_in_thread (task, test_thread_cb);
}

static void
save_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillDeviceSettingsView *self = TILL_DEVICE_SETTINGS_VIEW (widget);
  g_autoptr (GError) error = NULL;

  if (self->pending == NULL || self->application == NULL)
    return;
  if (!till_application_save_devices (self->application, self->pending, &error))
    {
      g_autofree char *text = g_strdup_printf (_ ("Not saved: %s"), error->message);

      set_message (self, text, TRUE);
      return;
    }
  set_message (self, _ ("Saved. The till uses the new settings now."), FALSE);
  update_rows (self);
}

static void
close_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  g_signal_emit (widget, signals[SIGNAL_CLOSED], 0);
}

/* ---- GObject ------------------------------------------------------------------ */

static void
state_changed_cb (TillDeviceSettingsView *self)
{
  update_rows (self);
}

static void
app_devices_changed_cb (TillDeviceSettingsView *self)
{
  TillDevices *devices = till_application_get_devices (self->application);

  if (devices != NULL)
    g_signal_connect_object (devices, "notify", G_CALLBACK (state_changed_cb), self,
                             G_CONNECT_SWAPPED);
  update_rows (self);
}

static void
till_device_settings_view_dispose (GObject *object)
{
  TillDeviceSettingsView *self = TILL_DEVICE_SETTINGS_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), TILL_TYPE_DEVICE_SETTINGS_VIEW);
  g_clear_object (&self->application);
  G_OBJECT_CLASS (till_device_settings_view_parent_class)->dispose (object);
}

static void
till_device_settings_view_finalize (GObject *object)
{
  TillDeviceSettingsView *self = TILL_DEVICE_SETTINGS_VIEW (object);

  for (guint kind = 0; kind < TILL_N_DEVICES; kind++)
    g_free (self->rows[kind].result);
  g_clear_pointer (&self->pending, till_config_free);
  g_clear_pointer (&self->extra_params, g_ptr_array_unref);
  g_clear_pointer (&self->port_values, g_ptr_array_unref);
  g_clear_pointer (&self->usb_values, g_ptr_array_unref);
  g_clear_pointer (&self->cups_values, g_ptr_array_unref);
  g_clear_object (&self->cancellable);
  g_free (self->message);
  G_OBJECT_CLASS (till_device_settings_view_parent_class)->finalize (object);
}

static void
till_device_settings_view_class_init (TillDeviceSettingsViewClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = till_device_settings_view_dispose;
  object_class->finalize = till_device_settings_view_finalize;

  signals[SIGNAL_CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (
      widget_class, "/org/opentill/Till/ui/till-device-settings-view.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, TillDeviceSettingsView, name)
  BIND (page_stack);
  BIND (device_list);
  BIND (message_label);
  BIND (form_title);
  BIND (mode_box);
  BIND (serial_port_label);
  BIND (serial_port_entry);
  BIND (serial_port_choice);
  BIND (baud_label);
  BIND (baud_choice);
  BIND (host_label);
  BIND (host_entry);
  BIND (tcp_port_spin);
  BIND (usb_label);
  BIND (usb_entry);
  BIND (usb_choice);
  BIND (cups_label);
  BIND (cups_entry);
  BIND (cups_choice);
  BIND (protocol_label);
  BIND (protocol_choice);
  BIND (preset_label);
  BIND (preset_choice);
  BIND (width_label);
  BIND (width_choice);
  BIND (uri_entry);
  BIND (form_message);
#undef BIND

  gtk_widget_class_install_action (widget_class, "devices.edit", "s", edit_action);
  gtk_widget_class_install_action (widget_class, "devices.mode", "s", mode_action);
  gtk_widget_class_install_action (widget_class, "devices.form-done", NULL, form_done_action);
  gtk_widget_class_install_action (widget_class, "devices.form-cancel", NULL, form_cancel_action);
  gtk_widget_class_install_action (widget_class, "devices.test", "s", test_action);
  gtk_widget_class_install_action (widget_class, "devices.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "devices.close", NULL, close_action);
}

static void
till_device_settings_view_init (TillDeviceSettingsView *self)
{
  const char *width_labels[] = { _ ("Default (80 mm)"), _ ("80 mm"), _ ("58 mm"), NULL };
  GtkWidget  *entries[4];

  gtk_widget_init_template (GTK_WIDGET (self));
  entries[0] = self->serial_port_entry;
  entries[1] = self->host_entry;
  entries[2] = self->usb_entry;
  entries[3] = self->cups_entry;
  self->cancellable = g_cancellable_new ();
  self->extra_params = g_ptr_array_new_with_free_func (g_free);
  self->port_values = g_ptr_array_new_with_free_func (g_free);
  self->usb_values = g_ptr_array_new_with_free_func (g_free);
  self->cups_values = g_ptr_array_new_with_free_func (g_free);

  for (guint m = 0; m < N_MODES; m++)
    {
      self->mode_buttons[m] = gtk_toggle_button_new_with_label (mode_label (m));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->mode_buttons[m]), "devices.mode");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (self->mode_buttons[m]), "s", mode_names[m]);
      gtk_widget_add_css_class (self->mode_buttons[m], "settings-button");
      gtk_widget_set_visible (self->mode_buttons[m], FALSE);
      gtk_widget_set_hexpand (self->mode_buttons[m], TRUE);
      g_signal_connect (self->mode_buttons[m], "toggled", G_CALLBACK (mode_toggled_cb), self);
      gtk_box_append (GTK_BOX (self->mode_box), self->mode_buttons[m]);
    }

  set_choice_strings (self->baud_choice, _ ("Default"), bauds);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->baud_choice), 0);
  set_choice_strings (self->preset_choice, _ ("Generic"), till_printer_profile_list_presets ());
  set_choice_strings (self->width_choice, NULL, width_labels);
  {
    g_autoptr (GPtrArray) none = g_ptr_array_new ();

    fill_choice (self->serial_port_choice, none);
    fill_choice (self->usb_choice, none);
    fill_choice (self->cups_choice, none);
  }

  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    g_signal_connect_swapped (entries[i], "changed", G_CALLBACK (field_changed_cb), self);
  g_signal_connect_swapped (self->tcp_port_spin, "value-changed", G_CALLBACK (field_changed_cb),
                            self);
  {
    GtkWidget *choices[] = { self->baud_choice, self->protocol_choice, self->preset_choice,
                             self->width_choice };

    for (guint i = 0; i < G_N_ELEMENTS (choices); i++)
      g_signal_connect_swapped (choices[i], "notify::selected", G_CALLBACK (field_changed_cb),
                                self);
  }
  g_signal_connect (self->serial_port_choice, "notify::selected", G_CALLBACK (found_choice_cb),
                    self);
  g_signal_connect (self->usb_choice, "notify::selected", G_CALLBACK (found_choice_cb), self);
  g_signal_connect (self->cups_choice, "notify::selected", G_CALLBACK (found_choice_cb), self);

  build_rows (self);
}

/* ---- Public API ---------------------------------------------------------------- */

/**
 * till_device_settings_view_set_application:
 * Where the settings come from and go to, and the devices whose state is shown.
 */
void
till_device_settings_view_set_application (TillDeviceSettingsView *self,
                                           TillApplication        *application)
{
  TillPrinterMonitor *monitor;

  g_return_if_fail (TILL_IS_DEVICE_SETTINGS_VIEW (self));
  g_return_if_fail (TILL_IS_APPLICATION (application));

  if (!g_set_object (&self->application, application))
    return;
  monitor = till_application_get_printer_monitor (application);
  if (monitor != NULL)
    g_signal_connect_object (monitor, "notify", G_CALLBACK (state_changed_cb), self,
                             G_CONNECT_SWAPPED);
  g_signal_connect_object (application, "notify::devices", G_CALLBACK (app_devices_changed_cb),
                           self, G_CONNECT_SWAPPED);
  app_devices_changed_cb (self);
  till_device_settings_view_reset (self);
}

void
till_device_settings_view_reset (TillDeviceSettingsView *self)
{
  const TillConfig *config;

  g_return_if_fail (TILL_IS_DEVICE_SETTINGS_VIEW (self));

  config = self->application != NULL ? till_application_get_config (self->application) : NULL;
  if (config == NULL)
    return;
  g_clear_pointer (&self->pending, till_config_free);
  self->pending = till_config_copy (config);
  for (guint kind = 0; kind < TILL_N_DEVICES; kind++)
    if (!self->rows[kind].testing)
      g_clear_pointer (&self->rows[kind].result, g_free);
  set_message (self, NULL, FALSE);
  gtk_stack_set_visible_child_name (GTK_STACK (self->page_stack), "list");
  update_rows (self);
  find_devices (self);
}

const char *
till_device_settings_view_get_page (TillDeviceSettingsView *self)
{
  g_return_val_if_fail (TILL_IS_DEVICE_SETTINGS_VIEW (self), NULL);
  return gtk_stack_get_visible_child_name (GTK_STACK (self->page_stack));
}

const char *
till_device_settings_view_get_uri (TillDeviceSettingsView *self, TillDeviceKind kind)
{
  g_return_val_if_fail (TILL_IS_DEVICE_SETTINGS_VIEW (self), NULL);
  g_return_val_if_fail (kind < TILL_N_DEVICES, NULL);
  return self->pending != NULL ? till_config_get_device_uri (self->pending, kind) : NULL;
}

const char *
till_device_settings_view_get_test_result (TillDeviceSettingsView *self,
                                           TillDeviceKind          kind,
                                           gboolean               *out_ok)
{
  g_return_val_if_fail (TILL_IS_DEVICE_SETTINGS_VIEW (self), NULL);
  g_return_val_if_fail (kind < TILL_N_DEVICES, NULL);

  if (out_ok != NULL)
    *out_ok = self->rows[kind].result_ok;
  return self->rows[kind].testing ? NULL : self->rows[kind].result;
}

const char *
till_device_settings_view_get_state_text (TillDeviceSettingsView *self, TillDeviceKind kind)
{
  g_return_val_if_fail (TILL_IS_DEVICE_SETTINGS_VIEW (self), NULL);
  g_return_val_if_fail (kind < TILL_N_DEVICES, NULL);
  return gtk_label_get_text (GTK_LABEL (self->rows[kind].state_label));
}

const char *
till_device_settings_view_get_message (TillDeviceSettingsView *self)
{
  g_return_val_if_fail (TILL_IS_DEVICE_SETTINGS_VIEW (self), NULL);
  return self->message != NULL ? self->message : "";
}
