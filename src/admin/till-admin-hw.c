/* till-admin-hw.c: `opentill-admin hw`, hardware diagnostics for store IT
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "opentill-admin"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "till-admin-hw.h"
#include "till-hw.h"
#include "till-printer-profile.h"

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
  g_printerr ("%s\n", _ ("URI is a device URI, e.g. serial:///dev/ttyUSB0?baud=9600, "
                         "tcp://10.0.0.5:9100, usb://0416:5011, cups://Receipt."));
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

/* The test page: Chinese text in the printer's encoding, a QR code, a cut. */
static GBytes *
make_test_page (const char *uri, GError **error)
{
  g_autoptr (TillPrinterProfile) profile = till_printer_profile_new_from_uri (uri, error);
  g_autoptr (TillEscpos) pos = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *when = g_date_time_format (now, "%Y-%m-%d %H:%M:%S");

  if (profile == NULL)
    return NULL;
  pos = till_escpos_new (profile);
  till_escpos_initialize (pos);
  till_escpos_align (pos, TILL_ALIGN_CENTER);
  till_escpos_size (pos, TRUE, TRUE);
  /* The test page is demo content, in Chinese whatever the locale. */
  till_escpos_line (pos, "打印测试");
  till_escpos_size (pos, FALSE, FALSE);
  till_escpos_line (pos, "opentill 收银台");
  till_escpos_align (pos, TILL_ALIGN_LEFT);
  till_escpos_separator (pos, '-');
  till_escpos_wrapped (pos, "中文打印正常：简体汉字、全角符号（￥１２３）和数字 0123456789。");
  till_escpos_row (pos, "农夫山泉 550ml", "2.00");
  till_escpos_row (pos, "合计", "￥2.00");
  till_escpos_wrapped (pos, uri);
  till_escpos_line (pos, when);
  till_escpos_separator (pos, '-');
  till_escpos_align (pos, TILL_ALIGN_CENTER);
  till_escpos_qr (pos, "https://opentill.org/hw-test");
  till_escpos_line (pos, "扫码查看测试说明");
  till_escpos_feed (pos, 2);
  till_escpos_cut (pos);
  return till_escpos_finish (pos);
}

static int
run_on_printer (const char *what, const char *uri, guint timeout_ms)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillTransport) transport = NULL;
  g_autoptr (GBytes) page = NULL;
  int status;

  if (g_str_equal (what, "test"))
    {
      page = make_test_page (uri, &error);
      if (page == NULL)
        {
          g_printerr ("opentill-admin hw: %s\n", error->message);
          return EXIT_USAGE;
        }
    }
  transport = till_transport_open (uri, &error);
  if (transport == NULL)
    {
      g_printerr ("opentill-admin hw: %s\n", error->message);
      return EXIT_FAILED;
    }
  g_print (_ ("Printer: %s\n"), uri);
  if (page != NULL)
    {
      if (!till_transport_write_bytes (transport, page, &error))
        {
          g_printerr ("opentill-admin hw: %s\n", error->message);
          return EXIT_FAILED;
        }
      g_print (_ ("Sent a test page (%zu bytes)\n"), g_bytes_get_size (page));
    }
  status = report_status (transport, timeout_ms);
  if (!till_transport_close (transport, &error))
    {
      g_printerr ("opentill-admin hw: %s\n", error->message);
      return EXIT_FAILED;
    }
  return status;
}

int
till_admin_hw_run (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char   *timeout_text = NULL;
  guint64            timeout_ms = DEFAULT_STATUS_TIMEOUT_MS;
  const GOptionEntry entries[] = {
    { "timeout", 0, 0, G_OPTION_ARG_STRING, &timeout_text,
      N_ ("How long to wait for each status answer (default 1000)"), N_ ("MS") },
    { NULL },
  };

  context = g_option_context_new (_ ("list | status URI | test URI"));
  g_option_context_set_summary (
      context, _ ("Finds serial ports, USB devices and CUPS queues (list), reads a printer’s "
                  "status (status), or prints a test page and then reads the status (test)."));
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
  if (argc == 2 && g_str_equal (argv[1], "list"))
    return run_list ();
  if (argc == 3 && (g_str_equal (argv[1], "status") || g_str_equal (argv[1], "test")))
    return run_on_printer (argv[1], argv[2], (guint) timeout_ms);
  print_usage ();
  return EXIT_USAGE;
}
