/* till-admin-hw.c: `opentill-admin hw`, hardware diagnostics for store IT
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "opentill-admin"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "till-admin-hw.h"
#include "till-sim-devices.h"
#include "till-hw.h"
#include "till-core.h"
#include "till-printer-profile.h"
#include "till-receipt.h"

enum
{
  EXIT_OK = 0,
  EXIT_FAILED = 1,
  EXIT_USAGE = 2,
};

#define DEFAULT_STATUS_TIMEOUT_MS 1000

static void
print_usage (void)
{
  g_printerr ("%s\n", _ ("Usage: opentill-admin hw list"));
  g_printerr ("%s\n", _ ("       opentill-admin hw status URI [--timeout MS]"));
  g_printerr ("%s\n", _ ("       opentill-admin hw test URI [--timeout MS]"));
  g_printerr ("%s\n", _ ("       opentill-admin hw drawer URI [--pin 2|5] [--timeout MS]"));
  g_printerr (
      "%s\n",
      _ ("       opentill-admin hw scale URI [--tare] [--zero] [--count N] [--timeout MS]"));
  g_printerr ("%s\n", _ ("       opentill-admin hw display URI [--clear] [TEXT [LINE2]] "
                         "[--lamp price|total|paid|change] [--timeout MS]"));
  g_printerr ("%s\n", _ ("URI is a device URI, e.g. serial:///dev/ttyUSB0?baud=9600, "
                         "tcp://10.0.0.5:9100, usb://0416:5011, cups://Receipt; a scale or "
                         "display URI names its protocol, e.g. "
                         "serial:///dev/ttyUSB1?protocol=toledo-8217."));
}

/* Prints @error for the device @uri; the message names the device even where
 * the driver's does not. */
static void
print_device_error (const char *uri, const GError *error)
{
  /* Drivers name the device by the URI they opened, whose query may differ
   * (protocol= taken off, timeout= added): the device part is what counts. */
  const char      *query = strchr (uri, '?');
  g_autofree char *device = query != NULL ? g_strndup (uri, query - uri) : g_strdup (uri);

  if (strstr (error->message, device) != NULL)
    g_printerr ("opentill-admin hw: %s\n", error->message);
  else
    g_printerr ("opentill-admin hw: %s: %s\n", uri, error->message);
}

/* @uri with timeout=@timeout_ms added for the transports that take one (serial,
 * tcp, usb: how long a device may take to accept bytes), so that --timeout
 * bounds the writes too. A timeout already in the URI wins. */
static char *
uri_with_timeout (const char *uri, guint timeout_ms)
{
  static const char *const schemes[] = { "serial", "tcp", "usb" };
  g_autofree char         *scheme = g_uri_parse_scheme (uri);
  const char              *query = strchr (uri, '?');
  gboolean                 takes_timeout = FALSE;

  for (guint i = 0; scheme != NULL && i < G_N_ELEMENTS (schemes); i++)
    takes_timeout |= g_ascii_strcasecmp (scheme, schemes[i]) == 0;
  if (!takes_timeout)
    return g_strdup (uri);
  if (query != NULL)
    {
      g_auto (GStrv) params = g_strsplit (query + 1, "&", -1);

      for (guint i = 0; params[i] != NULL; i++)
        if (g_str_has_prefix (params[i], "timeout="))
          return g_strdup (uri);
    }
  return g_strdup_printf ("%s%stimeout=%u", uri,
                          query == NULL ? "?" : (query[1] == '\0' ? "" : "&"), timeout_ms);
}

static int
run_list (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) ports = till_transport_serial_list_ports (&error);
  g_autoptr (GPtrArray) usb = NULL;
  g_autoptr (GPtrArray) queues = NULL;

  g_print ("%s\n", _ ("Serial ports:"));
  if (ports == NULL)
    g_print ("  %s\n", error->message);
  else if (ports->len == 0)
    g_print ("  %s\n", _ ("(none)"));
  for (guint i = 0; ports != NULL && i < ports->len; i++)
    {
      TillSerialPortInfo *port = g_ptr_array_index (ports, i);

      if (port->usb_vid >= 0)
        g_print ("  serial://%s  USB %04x:%04x  %s%s%s\n", port->path, port->usb_vid, port->usb_pid,
                 port->description ? port->description : "",
                 port->usb_serial ? _ ("  serial number ") : "",
                 port->usb_serial ? port->usb_serial : "");
      else
        g_print ("  serial://%s  %s\n", port->path, port->description ? port->description : "");
    }
  g_clear_error (&error);

  g_print ("%s\n", _ ("USB devices:"));
  usb = till_transport_usb_list_devices (&error);
  if (usb == NULL)
    g_print ("  %s\n", error->message);
  else if (usb->len == 0)
    g_print ("  %s\n", _ ("(none)"));
  for (guint i = 0; usb != NULL && i < usb->len; i++)
    {
      TillUsbDeviceInfo *device = g_ptr_array_index (usb, i);

      g_print ("  usb://%04x:%04x  bus %u device %u  %s%s%s%s\n", device->vendor_id,
               device->product_id, device->bus, device->address,
               device->manufacturer ? device->manufacturer : "",
               device->manufacturer && device->product ? " " : "",
               device->product ? device->product : _ ("(no permission to read its name)"),
               device->is_printer ? _ ("  [printer]") : "");
    }
  g_clear_error (&error);

  g_print ("%s\n", _ ("CUPS queues:"));
  queues = till_transport_cups_list_queues (&error);
  if (queues == NULL)
    g_print ("  %s\n", error->message);
  else if (queues->len == 0)
    g_print ("  %s\n", _ ("(none)"));
  for (guint i = 0; queues != NULL && i < queues->len; i++)
    {
      TillCupsQueueInfo *queue = g_ptr_array_index (queues, i);

      g_print ("  cups://%s  %s%s%s\n", queue->name, queue->device_uri ? queue->device_uri : "",
               queue->stopped ? _ ("  (stopped)") : "", queue->is_default ? _ ("  (default)") : "");
    }
  return EXIT_OK;
}

/* Prints the status of the printer on @transport; returns the exit status. */
static int
report_status (TillTransport *transport, guint timeout_ms)
{
  g_autoptr (GError) error = NULL;
  g_autofree char  *message = NULL;
  g_autofree char  *flags = NULL;
  TillPrinterStatus status;

  if (!till_printer_status_query (transport, timeout_ms, &status, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
        {
          g_print (_ ("Status: not available (this connection gives no status back)\n"));
          return EXIT_OK;
        }
      g_printerr ("opentill-admin hw: %s\n", error->message);
      return EXIT_FAILED;
    }
  message = till_printer_status_describe (&status);
  flags = till_printer_status_flags_to_string (status.flags);
  g_print (_ ("Status: %s\n"), message);
  g_print (_ ("Flags: %s\n"), flags);
  g_print (_ ("Replies:"));
  for (guint n = 1; n <= 4; n++)
    if (status.answered & (1u << n))
      g_print (" DLE EOT %u = 0x%02x", n, status.replies[n]);
  g_print ("\n");
  return till_printer_status_is_ready (&status) ? EXIT_OK : EXIT_FAILED;
}

/* What the command line asked for, besides the command and its URI. */
typedef struct
{
  guint                timeout_ms;
  gboolean             timeout_given;
  guint                pin;
  gboolean             tare;
  gboolean             zero;
  guint                count;
  TillPoleDisplayLamps lamps;
  gboolean             lamp_given;
  gboolean             clear;
} HwOptions;

/* The URI the transport opens: the user's, with --timeout for the writes. */
static char *
open_uri_for (const char *uri, const HwOptions *options)
{
  return options->timeout_given ? uri_with_timeout (uri, options->timeout_ms) : g_strdup (uri);
}

static int
run_on_printer (const char *what, const char *uri, const HwOptions *options)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillTransport) transport = NULL;
  g_autoptr (GBytes) page = NULL;
  g_autofree char *open_uri = open_uri_for (uri, options);
  int              status;

  if (g_str_equal (what, "test"))
    {
      page = till_receipt_encode_test_page (uri, &error);
      if (page == NULL)
        {
          g_printerr ("opentill-admin hw: %s\n", error->message);
          return EXIT_USAGE;
        }
    }
  transport = till_transport_open (open_uri, &error);
  if (transport == NULL)
    {
      print_device_error (uri, error);
      return EXIT_FAILED;
    }
  g_print (_ ("Printer: %s\n"), uri);
  if (page != NULL)
    {
      if (!till_transport_write_bytes (transport, page, &error))
        {
          print_device_error (uri, error);
          return EXIT_FAILED;
        }
      g_print (_ ("Sent a test page (%zu bytes)\n"), g_bytes_get_size (page));
    }
  status = report_status (transport, options->timeout_ms);
  if (!till_transport_close (transport, &error))
    {
      print_device_error (uri, error);
      return EXIT_FAILED;
    }
  return status;
}

/* The drawer pulse for connector pin @pin: the encoder's own kick (pin 2),
 * or the same pulse with m = 1 for pin 5 (DEVICES.md §1.6). */
static GBytes *
make_drawer_kick (const char *uri, guint pin, GError **error)
{
  g_autoptr (TillPrinterProfile) profile = till_printer_profile_new_from_uri (uri, error);
  g_autoptr (TillEscpos) pos = NULL;

  if (profile == NULL)
    return NULL;
  pos = till_escpos_new (profile);
  if (pin == 2)
    till_escpos_drawer_kick (pos);
  else
    {
      guint8 kick[sizeof TILL_ESCPOS_DRAWER_KICK - 1];

      memcpy (kick, TILL_ESCPOS_DRAWER_KICK, sizeof kick);
      kick[2] = 1; /* m: 0 = pin 2, 1 = pin 5 */
      till_escpos_raw (pos, kick, sizeof kick);
    }
  return till_escpos_finish (pos);
}

/* Reads the status after a pulse; returns the exit status. A transport that
 * gives nothing back (a serial drawer, a file, CUPS) is no failure: the pulse
 * went out, there is just no sensor to read. */
static int
report_drawer_sensor (const char *uri, TillTransport *transport, guint timeout_ms)
{
  g_autoptr (GError) error = NULL;
  g_autofree char  *message = NULL;
  TillPrinterStatus status;

  if (!till_printer_status_query (transport, timeout_ms, &status, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
        {
          g_print (_ ("Drawer sensor: not available (this connection gives no status back)\n"));
          return EXIT_OK;
        }
      print_device_error (uri, error);
      return EXIT_FAILED;
    }
  if ((status.flags & TILL_PRINTER_STATUS_NO_ANSWER) || !(status.answered & (1u << 1)))
    {
      g_print (_ ("Drawer sensor: unknown (no status answer within %u ms; a drawer on its own "
                  "serial port gives none)\n"),
               timeout_ms);
      return EXIT_OK;
    }
  message = till_printer_status_describe (&status);
  g_print (_ ("Printer status: %s\n"), message);
  /* The sensor gives a level; which level means open depends on the drawer. */
  if (status.flags & TILL_PRINTER_STATUS_DRAWER_PIN3_HIGH)
    g_print (_ ("Drawer sensor: pin 3 high (DLE EOT 1 = 0x%02x)\n"), status.replies[1]);
  else
    g_print (_ ("Drawer sensor: pin 3 low (DLE EOT 1 = 0x%02x)\n"), status.replies[1]);
  if (!till_printer_status_is_ready (&status))
    {
      /* ESC p waits in the buffer of a printer that is offline. */
      g_printerr (_ ("opentill-admin hw: %s: the printer is not ready (%s): the drawer opens only "
                     "once it is\n"),
                  uri, message);
      return EXIT_FAILED;
    }
  return EXIT_OK;
}

static int
run_drawer (const char *uri, const HwOptions *options)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillTransport) transport = NULL;
  g_autoptr (GBytes) kick = NULL;
  g_autofree char *open_uri = open_uri_for (uri, options);
  const guint8    *bytes;
  int              status;

  kick = make_drawer_kick (uri, options->pin, &error);
  if (kick == NULL)
    {
      g_printerr ("opentill-admin hw: %s\n", error->message);
      return EXIT_USAGE;
    }
  transport = till_transport_open (open_uri, &error);
  if (transport == NULL)
    {
      print_device_error (uri, error);
      return EXIT_FAILED;
    }
  g_print (_ ("Drawer: %s\n"), uri);
  if (!till_transport_write_bytes (transport, kick, &error))
    {
      print_device_error (uri, error);
      return EXIT_FAILED;
    }
  bytes = g_bytes_get_data (kick, NULL);
  g_print (_ ("Sent the drawer pulse on pin %u (ESC p %u %u %u: %u ms on, %u ms off)\n"),
           options->pin, bytes[2], bytes[3], bytes[4], bytes[3] * 2u, bytes[4] * 2u);
  status = report_drawer_sensor (uri, transport, options->timeout_ms);
  if (!till_transport_close (transport, &error))
    {
      print_device_error (uri, error);
      return EXIT_FAILED;
    }
  return status;
}

static const char *
scale_state_label (TillScaleState state)
{
  switch (state)
    {
    case TILL_SCALE_STATE_STABLE:
      return _ ("stable");
    case TILL_SCALE_STATE_UNSTABLE:
      return _ ("unstable");
    case TILL_SCALE_STATE_NEGATIVE:
      return _ ("below zero");
    case TILL_SCALE_STATE_OVERLOAD:
      return _ ("overload");
    case TILL_SCALE_STATE_UNDERLOAD:
      return _ ("underload");
    case TILL_SCALE_STATE_ERROR:
      return _ ("scale error");
    case TILL_SCALE_STATE_NO_ANSWER:
    default:
      return _ ("no answer");
    }
}

/* Grams as kilograms with three decimals, in integers: "0.456", "-0.020". */
static char *
format_kg (gint64 grams)
{
  guint64 magnitude = grams < 0 ? (guint64) 0 - (guint64) grams : (guint64) grams;

  return g_strdup_printf ("%s%" G_GUINT64_FORMAT ".%03u", grams < 0 ? "-" : "", magnitude / 1000,
                          (guint) (magnitude % 1000));
}

static int
run_scale (const char *uri, const HwOptions *options)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillScale) scale = NULL;
  g_autofree char *open_uri = open_uri_for (uri, options);
  guint            n_unanswered = 0;

  scale = till_scale_open (open_uri, &error);
  if (scale == NULL)
    {
      print_device_error (uri, error);
      /* A URI without a protocol the till speaks is a setting to fix. */
      return g_error_matches (error, TILL_SCALE_ERROR, TILL_SCALE_ERROR_PROTOCOL) ? EXIT_USAGE
                                                                                  : EXIT_FAILED;
    }
  g_print (_ ("Scale: %s (protocol %s)\n"), uri, till_scale_get_protocol (scale));
  if (options->zero)
    {
      if (!till_scale_zero (scale, options->timeout_ms, &error))
        {
          print_device_error (uri, error);
          return EXIT_FAILED;
        }
      g_print ("%s\n", _ ("Zeroed"));
    }
  if (options->tare)
    {
      if (!till_scale_tare (scale, options->timeout_ms, &error))
        {
          print_device_error (uri, error);
          return EXIT_FAILED;
        }
      g_print ("%s\n", _ ("Tared"));
    }
  for (guint i = 1; i <= options->count; i++)
    {
      TillScaleReading reading;
      g_autofree char *kg = NULL;

      if (!till_scale_read (scale, options->timeout_ms, &reading, &error))
        {
          print_device_error (uri, error);
          return EXIT_FAILED;
        }
      if (reading.state == TILL_SCALE_STATE_NO_ANSWER)
        {
          n_unanswered++;
          g_print (_ ("Reading %u: no answer within %u ms\n"), i, options->timeout_ms);
          continue;
        }
      kg = format_kg (reading.weight);
      g_print (_ ("Reading %u: %s  %s kg  %s\n"), i, scale_state_label (reading.state), kg,
               reading.net ? _ ("net (tare in effect)") : _ ("gross"));
    }
  if (!till_scale_close (scale, &error))
    {
      print_device_error (uri, error);
      return EXIT_FAILED;
    }
  if (n_unanswered > 0)
    {
      g_printerr (_ ("opentill-admin hw: %s: the scale did not answer (%u of %u readings)\n"), uri,
                  n_unanswered, options->count);
      return EXIT_FAILED;
    }
  return EXIT_OK;
}

/* Errors that are the command line's (text that does not fit, a lamp on a VFD)
 * rather than the device's. */
static int
display_error_status (const GError *error)
{
  return g_error_matches (error, TILL_POLE_DISPLAY_ERROR, TILL_POLE_DISPLAY_ERROR_URI) ||
                 g_error_matches (error, TILL_POLE_DISPLAY_ERROR,
                                  TILL_POLE_DISPLAY_ERROR_TOO_LONG) ||
                 g_error_matches (error, TILL_POLE_DISPLAY_ERROR,
                                  TILL_POLE_DISPLAY_ERROR_NOT_SUPPORTED)
             ? EXIT_USAGE
             : EXIT_FAILED;
}

static int
run_display (const char *uri, char **texts, guint n_texts, const HwOptions *options)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillPoleDisplay) display = NULL;
  g_autofree char *open_uri = open_uri_for (uri, options);
  gboolean         is_led;
  gint64           fen = 0;

  display = till_pole_display_new (open_uri, &error);
  if (display == NULL)
    {
      print_device_error (uri, error);
      return display_error_status (error);
    }
  is_led = till_pole_display_get_protocol (display) == TILL_POLE_DISPLAY_PROTOCOL_LED8;
  /* Check the command line against the display before anything goes out. */
  if (n_texts == 0 && !options->clear)
    {
      g_printerr ("%s\n", _ ("opentill-admin hw display: give TEXT to show, or --clear"));
      return EXIT_USAGE;
    }
  if (is_led && n_texts > 1)
    {
      g_printerr ("%s\n", _ ("opentill-admin hw display: the LED display shows one amount"));
      return EXIT_USAGE;
    }
  if (!is_led && n_texts > 2)
    {
      g_printerr ("%s\n", _ ("opentill-admin hw display: the display has two lines"));
      return EXIT_USAGE;
    }
  if (!is_led && options->lamp_given)
    {
      g_printerr ("%s\n", _ ("opentill-admin hw display: --lamp is for the LED display "
                             "(protocol=led8)"));
      return EXIT_USAGE;
    }
  if (is_led && n_texts == 1 && !till_money_parse (texts[0], &fen, &error))
    {
      g_printerr (_ ("opentill-admin hw display: “%s” is not an amount: %s\n"), texts[0],
                  error->message);
      return EXIT_USAGE;
    }
  if (is_led && n_texts == 1)
    {
      /* The digits of "0.05" are 005: fen with at least three places. */
      g_autofree char *places = g_strdup_printf ("%" G_GINT64_FORMAT, MAX (fen, 100));

      if (strlen (places) > till_pole_display_get_columns (display))
        {
          g_printerr (_ ("opentill-admin hw display: %s does not fit on %u digits\n"), texts[0],
                      till_pole_display_get_columns (display));
          return EXIT_USAGE;
        }
    }

  g_print (_ ("Display: %s (%u × %u)\n"), uri, till_pole_display_get_rows (display),
           till_pole_display_get_columns (display));
  if (!till_pole_display_open (display, &error))
    {
      print_device_error (uri, error);
      return EXIT_FAILED;
    }
  if (options->clear)
    {
      if (!till_pole_display_clear (display, &error))
        {
          print_device_error (uri, error);
          return display_error_status (error);
        }
      g_print ("%s\n", _ ("Cleared"));
    }
  if (is_led && n_texts == 1)
    {
      g_autofree char *yuan = till_money_format (fen);

      if (!till_pole_display_show_number (display, fen, options->lamps, &error))
        {
          print_device_error (uri, error);
          return display_error_status (error);
        }
      g_print (_ ("Showed %s\n"), yuan);
    }
  /* Both lines are written so that nothing of an earlier text stays. */
  for (guint row = 1; !is_led && n_texts > 0 && row <= 2; row++)
    {
      const char *text = row <= n_texts ? texts[row - 1] : "";

      if (!till_pole_display_write_line (display, row, text, &error))
        {
          print_device_error (uri, error);
          return display_error_status (error);
        }
      g_print (_ ("Line %u: “%s”\n"), row, text);
    }
  if (!till_pole_display_close (display, &error))
    {
      print_device_error (uri, error);
      return EXIT_FAILED;
    }
  return EXIT_OK;
}

static gboolean
parse_lamp (const char *text, TillPoleDisplayLamps *out_lamps)
{
  static const struct
  {
    const char          *name;
    TillPoleDisplayLamps lamp;
  } lamps[] = {
    { "price", TILL_POLE_DISPLAY_LAMP_PRICE },
    { "total", TILL_POLE_DISPLAY_LAMP_TOTAL },
    { "paid", TILL_POLE_DISPLAY_LAMP_PAID },
    { "change", TILL_POLE_DISPLAY_LAMP_CHANGE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (lamps); i++)
    if (g_str_equal (text, lamps[i].name))
      {
        *out_lamps = lamps[i].lamp;
        return TRUE;
      }
  return FALSE;
}

/* Refuses an option given to a command it means nothing to. */
static gboolean
check_option_for (const char *command, gboolean given, const char *option, const char *owner)
{
  if (given && !g_str_equal (command, owner))
    {
      g_printerr (_ ("opentill-admin hw %s: %s is an option of “hw %s”\n"), command, option, owner);
      return FALSE;
    }
  return TRUE;
}

int
till_admin_hw_run (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char   *timeout_text = NULL;
  g_autofree char   *pin_text = NULL;
  g_autofree char   *count_text = NULL;
  g_autofree char   *lamp_text = NULL;
  guint64            timeout_ms = DEFAULT_STATUS_TIMEOUT_MS;
  guint64            count = 1;
  HwOptions          options = { .pin = 2 };
  const char        *command;
  const GOptionEntry entries[] = {
    { "timeout", 0, 0, G_OPTION_ARG_STRING, &timeout_text,
      N_ ("How long to wait for each answer, and for the device to take bytes (default 1000)"),
      N_ ("MS") },
    { "pin", 0, 0, G_OPTION_ARG_STRING, &pin_text,
      N_ ("drawer: the drawer connector pin to pulse, 2 (default) or 5"), N_ ("2|5") },
    { "tare", 0, 0, G_OPTION_ARG_NONE, &options.tare,
      N_ ("scale: tare what lies on the platter first"), NULL },
    { "zero", 0, 0, G_OPTION_ARG_NONE, &options.zero, N_ ("scale: set zero first"), NULL },
    { "count", 0, 0, G_OPTION_ARG_STRING, &count_text,
      N_ ("scale: how many readings to take (default 1)"), N_ ("N") },
    { "lamp", 0, 0, G_OPTION_ARG_STRING, &lamp_text,
      N_ ("display: the lamp to light beside the amount on an LED display"),
      N_ ("price|total|paid|change") },
    { "clear", 0, 0, G_OPTION_ARG_NONE, &options.clear,
      N_ ("display: clear the display (before showing TEXT, if any)"), NULL },
    { NULL },
  };

  /* The demo's simulated devices (sim://printer, scale, display) answer here
   * as they do in the till, so store IT can try every command on them. */
  till_sim_register_transports ();

  context = g_option_context_new (_ ("list | status URI | test URI | drawer URI | scale URI | "
                                     "display URI [TEXT [LINE2]]"));
  g_option_context_set_summary (
      context,
      _ ("Finds serial ports, USB devices and CUPS queues (list), reads a printer’s status "
         "(status), prints a test page and then reads the status (test), opens the cash drawer "
         "and reads its sensor (drawer), reads the scale (scale), or shows text on the customer "
         "display (display: one or two lines on a VFD, an amount on an LED display)."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("opentill-admin hw: %s\n", error->message);
      return EXIT_USAGE;
    }
  if (timeout_text != NULL &&
      !g_ascii_string_to_unsigned (timeout_text, 10, 1, 600000, &timeout_ms, &error))
    {
      g_printerr ("opentill-admin hw: --timeout: %s\n", error->message);
      return EXIT_USAGE;
    }
  options.timeout_ms = (guint) timeout_ms;
  options.timeout_given = timeout_text != NULL;
  if (pin_text != NULL)
    {
      if (!g_str_equal (pin_text, "2") && !g_str_equal (pin_text, "5"))
        {
          g_printerr (_ ("opentill-admin hw: --pin: “%s” is not 2 or 5\n"), pin_text);
          return EXIT_USAGE;
        }
      options.pin = pin_text[0] - '0';
    }
  if (count_text != NULL && !g_ascii_string_to_unsigned (count_text, 10, 1, 10000, &count, &error))
    {
      g_printerr ("opentill-admin hw: --count: %s\n", error->message);
      return EXIT_USAGE;
    }
  options.count = (guint) count;
  if (lamp_text != NULL && !parse_lamp (lamp_text, &options.lamps))
    {
      g_printerr (_ ("opentill-admin hw: --lamp: “%s” is not price, total, paid or change\n"),
                  lamp_text);
      return EXIT_USAGE;
    }
  options.lamp_given = lamp_text != NULL;

  command = argc >= 2 ? argv[1] : "";
  if (!check_option_for (command, pin_text != NULL, "--pin", "drawer") ||
      !check_option_for (command, options.tare, "--tare", "scale") ||
      !check_option_for (command, options.zero, "--zero", "scale") ||
      !check_option_for (command, count_text != NULL, "--count", "scale") ||
      !check_option_for (command, options.lamp_given, "--lamp", "display") ||
      !check_option_for (command, options.clear, "--clear", "display"))
    return EXIT_USAGE;

  if (argc == 2 && g_str_equal (command, "list"))
    return run_list ();
  if (argc == 3 && (g_str_equal (command, "status") || g_str_equal (command, "test")))
    return run_on_printer (command, argv[2], &options);
  if (argc == 3 && g_str_equal (command, "drawer"))
    return run_drawer (argv[2], &options);
  if (argc == 3 && g_str_equal (command, "scale"))
    return run_scale (argv[2], &options);
  if (argc >= 3 && g_str_equal (command, "display"))
    return run_display (argv[2], argv + 3, (guint) (argc - 3), &options);
  print_usage ();
  return EXIT_USAGE;
}
