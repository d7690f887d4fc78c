/* till-transport-serial.h: serial:// printers, scales and displays, and ptys
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "till-transport.h"

G_BEGIN_DECLS

typedef enum
{
  TILL_SERIAL_PARITY_NONE,
  TILL_SERIAL_PARITY_EVEN,
  TILL_SERIAL_PARITY_ODD,
} TillSerialParity;

typedef enum
{
  TILL_SERIAL_FLOW_NONE,
  TILL_SERIAL_FLOW_RTSCTS,
  TILL_SERIAL_FLOW_XONXOFF,
  TILL_SERIAL_FLOW_DTRDSR,
} TillSerialFlow;

/* What serial:///dev/ttyUSB0?baud=9600&parity=none&bits=8&stop=1&flow=none
 * asks for. Keys the serial driver does not know (printer profile options such
 * as width=58, protocol=toledo-8217) are left to the layers above. */
typedef struct
{
  char            *path;
  guint            baud;      /* baud=, default 9600 */
  TillSerialParity parity;    /* parity=none|even|odd, default none */
  guint            data_bits; /* bits= (or databits=), 5-8, default 8 */
  guint            stop_bits; /* stop= (or stopbits=), 1 or 2, default 1 */
  TillSerialFlow   flow;      /* flow=none|rtscts|xonxoff|dtrdsr, default none */
  guint timeout_ms; /* timeout=: a write that makes no progress this long fails, default 5000 */
} TillSerialSettings;

/* Parses a serial:// URI; G_IO_ERROR_INVALID_ARGUMENT names the bad key. */
gboolean till_serial_settings_parse (const char *uri, TillSerialSettings *out, GError **error);
void     till_serial_settings_clear (TillSerialSettings *settings);

/* A serial port the system knows (libserialport), for `opentill-admin hw list`. */
typedef struct
{
  char *path;
  char *description;
  int   usb_vid; /* -1 when the port is not on USB */
  int   usb_pid;
  char *usb_product;
  char *usb_serial;
} TillSerialPortInfo;

/* The ports libserialport lists (pseudo-terminals are never among them), as a
 * GPtrArray of TillSerialPortInfo that frees its elements. */
GPtrArray *till_transport_serial_list_ports (GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* serial://: libserialport for the ports it knows, plain termios otherwise. */
extern const TillTransportBackend till_transport_serial_backend;

G_END_DECLS
