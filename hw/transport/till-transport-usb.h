/* till-transport-usb.h: usb://VID:PID, USB receipt printers through libusb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "till-transport.h"

G_BEGIN_DECLS

/* What usb://VID:PID[?serial=S&interface=N&out=EP&in=EP&timeout=MS] names. The
 * endpoints come from the interface's descriptors (the first bulk OUT and bulk
 * IN) unless out=/in= give them (python-escpos uses OUT 0x01 / IN 0x82). */
typedef struct
{
  guint16 vendor_id;
  guint16 product_id;
  char   *serial;       /* NULL: the first device with these IDs */
  guint   interface;    /* default 0 */
  int     out_endpoint; /* -1: from the descriptors */
  int     in_endpoint;  /* -1: from the descriptors */
  guint   timeout_ms;   /* a write that makes no progress this long fails; default 5000 */
} TillUsbAddress;

gboolean till_usb_address_parse (const char *uri, TillUsbAddress *out, GError **error);
void     till_usb_address_clear (TillUsbAddress *address);

/* A device on the USB bus, for `opentill-admin hw list`. The strings are NULL
 * when the device cannot be opened (no permission: see the udev rules). */
typedef struct
{
  guint16  vendor_id;
  guint16  product_id;
  guint8   bus;
  guint8   address;
  gboolean is_printer; /* has an interface of class 7 (printer) */
  char    *manufacturer;
  char    *product;
  char    *serial;
} TillUsbDeviceInfo;

/* Every USB device libusb sees, as a GPtrArray of TillUsbDeviceInfo. */
GPtrArray *till_transport_usb_list_devices (GError **error) G_GNUC_WARN_UNUSED_RESULT;

extern const TillTransportBackend till_transport_usb_backend;

G_END_DECLS
