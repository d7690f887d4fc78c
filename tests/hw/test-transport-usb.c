/* test-transport-usb.c: tests for hw/transport/till-transport-usb.c
 *
 * There is no USB printer on the machines that run these tests, so what runs
 * here is what needs none: the URI, the error for a device that is not there,
 * and libusb set-up and tear-down without leaking memory or descriptors.
 * Claiming, bulk transfers and unplug mid-write are not exercised.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "till-test-util.h"
#include "till-transport-usb.h"
#include "till-transport.h"

static guint
count_open_fds (void)
{
  g_autoptr (GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  ck_assert_ptr_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* /hw/transport-usb/uri/parse */
START_TEST (test_uri_parse)
{
  TillUsbAddress address;
  g_autoptr (GError) error = NULL;

  ck_assert (till_usb_address_parse ("usb://0416:5011", &address, &error));
  ck_assert_uint_eq (address.vendor_id, 0x0416);
  ck_assert_uint_eq (address.product_id, 0x5011);
  ck_assert_ptr_null (address.serial);
  ck_assert_uint_eq (address.interface, 0);
  ck_assert_int_eq (address.out_endpoint, -1);
  ck_assert_int_eq (address.in_endpoint, -1);
  till_usb_address_clear (&address);

  ck_assert (till_usb_address_parse (
      "usb://04B8:0e15?serial=J7Y0012345&interface=1&out=0x01&in=130&width=80", &address, &error));
  ck_assert_uint_eq (address.vendor_id, 0x04b8);
  ck_assert_uint_eq (address.product_id, 0x0e15);
  ck_assert_str_eq (address.serial, "J7Y0012345");
  ck_assert_uint_eq (address.interface, 1);
  ck_assert_int_eq (address.out_endpoint, 0x01);
  ck_assert_int_eq (address.in_endpoint, 0x82);
  till_usb_address_clear (&address);
}
END_TEST

/* /hw/transport-usb/uri/bad */
START_TEST (test_uri_bad)
{
  static const struct
  {
    const char *uri;
    const char *says;
  } cases[] = {
    { "usb://", "usb://VID:PID" },
    { "usb://0416", "usb://VID:PID" },
    { "usb://epson:tm20", "usb://VID:PID" },
    { "usb://10416:5011", "usb://VID:PID" },
    { "usb://0416:5011?out=0x82", "IN endpoint" },
    { "usb://0416:5011?in=0x01", "OUT endpoint" },
    { "usb://0416:5011?interface=300", "interface" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (TillTransport) transport = till_transport_open (cases[i].uri, &error);

      ck_assert_msg (transport == NULL, "%s opened", cases[i].uri);
      ck_assert_msg (strstr (error->message, cases[i].says) != NULL, "%s: %s", cases[i].uri,
                     error->message);
      ck_assert_msg (g_str_has_prefix (error->message, cases[i].uri), "%s: %s", cases[i].uri,
                     error->message);
    }
}
END_TEST

/* /hw/transport-usb/open/no-such-device: the message names VID:PID (a hex PID
 * that GUri alone would take for a bad port number). */
START_TEST (test_no_such_device)
{
  static const char *const uris[] = {
    "usb://04b8:0e15",
    "usb://0416:5011?serial=NOPE",
    "usb://ffff:fffe?width=58",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (uris); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (TillTransport) transport = till_transport_open (uris[i], &error);
      TillUsbAddress   address;
      g_autofree char *vid_pid = NULL;

      ck_assert (till_usb_address_parse (uris[i], &address, NULL));
      vid_pid = g_strdup_printf ("%04x:%04x", address.vendor_id, address.product_id);
      till_usb_address_clear (&address);

      ck_assert_msg (transport == NULL, "%s opened", uris[i]);
      ck_assert_msg (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND), "%s: %s", uris[i],
                     error->message);
      ck_assert_msg (strstr (error->message, vid_pid) != NULL, "%s", error->message);
      ck_assert_msg (g_str_has_prefix (error->message, uris[i]), "%s", error->message);
    }
}
END_TEST

/* /hw/transport-usb/libusb/no-leaks: each open initialises and exits libusb;
 * a hundred of them leave no descriptor behind (LeakSanitizer checks memory). */
START_TEST (test_libusb_no_leaks)
{
  guint before;
  guint after;

  /* The first round may open descriptors GLib keeps (its worker wakeups). */
  {
    g_autoptr (TillTransport) transport = till_transport_open ("usb://04b8:0e15", NULL);

    ck_assert_ptr_null (transport);
  }
  before = count_open_fds ();
  for (guint i = 0; i < 100; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (TillTransport) transport = till_transport_open ("usb://04b8:0e15", &error);

      ck_assert_ptr_null (transport);
    }
  after = count_open_fds ();
  ck_assert_uint_eq (after, before);
}
END_TEST

/* /hw/transport-usb/list: listing works (the list may be empty here) and every
 * entry is complete. */
START_TEST (test_list_devices)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) devices = till_transport_usb_list_devices (&error);

  ck_assert_msg (devices != NULL, "%s", error ? error->message : "");
  for (guint i = 0; i < devices->len; i++)
    {
      TillUsbDeviceInfo *info = g_ptr_array_index (devices, i);

      ck_assert_uint_gt (info->bus + info->address, 0);
    }
}
END_TEST

static Suite *
transport_usb_suite (void)
{
  Suite *suite = suite_create ("hw/transport-usb");
  TCase *tc;

  tc = tcase_create ("uri");
  tcase_add_test (tc, test_uri_parse);
  tcase_add_test (tc, test_uri_bad);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("libusb");
  tcase_add_test (tc, test_no_such_device);
  tcase_add_test (tc, test_libusb_no_leaks);
  tcase_add_test (tc, test_list_devices);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (transport_usb_suite ());
}
