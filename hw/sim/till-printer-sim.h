/* till-printer-sim.h: an ESC/POS receipt printer in software, for tests and the demo
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The healthy idle answer to DLE EOT n (DEVICES.md §1.7). */
#define TILL_PRINTER_SIM_STATUS_OK 0x12

#define TILL_TYPE_PRINTER_SIM (till_printer_sim_get_type ())
G_DECLARE_FINAL_TYPE (TillPrinterSim, till_printer_sim, TILL, PRINTER_SIM, GObject)

/* @width_dots: 384 (58 mm) or 576 (80 mm); any multiple of 8 from 96 works. */
TillPrinterSim *till_printer_sim_new (guint width_dots) G_GNUC_WARN_UNUSED_RESULT;
guint           till_printer_sim_get_width (TillPrinterSim *self);

/* Parses the bytes as the printer would; a command split across calls is
 * completed by the next call. */
void till_printer_sim_feed (TillPrinterSim *self, const guint8 *data, gsize len);
/* The stream ended: an unfinished command left over counts as truncated. */
void till_printer_sim_end_of_stream (TillPrinterSim *self);

/* What the printer printed. Lines are UTF-8, one per printed line (a line the
 * printer had to wrap is one entry per printed line). */
const GPtrArray *till_printer_sim_get_lines (TillPrinterSim *self);
const GPtrArray *till_printer_sim_get_qr_payloads (TillPrinterSim *self);
/* What each GS k barcode the printer drew encodes, as a scanner reads it: an
 * EAN/UPC with its check digit, Code 128 without the code set selectors (set C
 * as digits). Barcodes the printer rejected are not here. */
const GPtrArray *till_printer_sim_get_barcodes (TillPrinterSim *self);
guint            till_printer_sim_get_n_cuts (TillPrinterSim *self);
guint            till_printer_sim_get_n_drawer_kicks (TillPrinterSim *self);
guint            till_printer_sim_get_n_raster_images (TillPrinterSim *self);
/* Bytes the printer did not understand (unknown commands, stray control bytes,
 * invalid multi-byte text): counted, skipped, never fatal. */
guint till_printer_sim_get_n_garbage_bytes (TillPrinterSim *self);
/* Commands cut off by the end of the stream. */
guint till_printer_sim_get_n_truncated (TillPrinterSim *self);
/* Characters the printer font would not have (4-byte GB18030, code page bytes). */
guint till_printer_sim_get_n_unsupported_chars (TillPrinterSim *self);
/* Text lines wider than the paper, which a real printer wraps. */
guint    till_printer_sim_get_n_overflows (TillPrinterSim *self);
gboolean till_printer_sim_get_chinese_mode (TillPrinterSim *self);

/* Status the printer sends back (DLE EOT n, GS r n), oldest first; taking them
 * empties the queue. */
GBytes *till_printer_sim_take_replies (TillPrinterSim *self) G_GNUC_WARN_UNUSED_RESULT;
/* What DLE EOT @n (1-4) answers; TILL_PRINTER_SIM_STATUS_OK by default. */
void till_printer_sim_set_status (TillPrinterSim *self, guint n, guint8 status);

/* Receipts end at each cut; only finished receipts count and render. */
guint            till_printer_sim_get_n_receipts (TillPrinterSim *self);
const GPtrArray *till_printer_sim_get_receipt_lines (TillPrinterSim *self, guint index);
gboolean
till_printer_sim_render_png (TillPrinterSim *self, guint index, const char *path, GError **error);
/* Writes each finished receipt not written yet as DIR/receipt-NNNN.png, numbered
 * from 0001 and never overwriting a file already there. */
gboolean till_printer_sim_write_receipts (TillPrinterSim *self,
                                          const char     *dir,
                                          guint          *out_n_written,
                                          GError        **error);

/* Makes till_transport_open() answer sim://printer?dir=DIR&width=58|80: an
 * in-process printer that writes a PNG per receipt into DIR (no PNGs without
 * dir) and answers status requests. Safe to call more than once. Registers
 * every simulated device: the same as till_sim_register_transports(). */
void till_printer_sim_register_transport (void);

/* Serving the printer over a real byte pipe, from a thread: a pty (a serial
 * printer) or a TCP listener on 127.0.0.1 (a network printer, one job per
 * connection). While it serves, read the lines, receipts and QR payloads only
 * after till_printer_sim_stop_serving(); the counters, the received bytes and
 * the state calls are safe at any time. */
typedef enum
{
  TILL_PRINTER_SIM_ONLINE,
  TILL_PRINTER_SIM_PAPER_NEAR_END,
  TILL_PRINTER_SIM_PAPER_OUT, /* DLE EOT 1, 2, 4 answer 1A 32 7E */
  TILL_PRINTER_SIM_COVER_OPEN,
  TILL_PRINTER_SIM_OFFLINE,
} TillPrinterSimState;

/* Sets what DLE EOT 1-4 answer for @state, byte for byte (DEVICES.md §1.7). */
void till_printer_sim_set_state (TillPrinterSim *self, TillPrinterSimState state);
/* "online", "paper-near-end", "paper-out", "cover-open", "offline". */
gboolean till_printer_sim_state_from_string (const char *name, TillPrinterSimState *out_state);
/* A silent printer parses and prints but never answers a status request. */
void till_printer_sim_set_silent (TillPrinterSim *self, gboolean silent);

/* Returns the device path (/dev/pts/N) to open as serial:///dev/pts/N. */
char *till_printer_sim_serve_pty (TillPrinterSim *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Listens on 127.0.0.1:@port (0: a free port); returns the port or 0. */
guint16 till_printer_sim_serve_tcp (TillPrinterSim *self, guint16 port, GError **error);
void    till_printer_sim_stop_serving (TillPrinterSim *self);

/* Pulls the cable: closes the pty master (the device end then fails with EIO)
 * or resets the TCP connection; now, or once @n_bytes more have arrived. */
void     till_printer_sim_unplug (TillPrinterSim *self);
void     till_printer_sim_unplug_after (TillPrinterSim *self, gsize n_bytes);
gboolean till_printer_sim_get_unplugged (TillPrinterSim *self);
guint    till_printer_sim_get_n_connections (TillPrinterSim *self);

/* Every byte that arrived over the pipe, and a bounded wait for them. */
GBytes  *till_printer_sim_dup_received (TillPrinterSim *self) G_GNUC_WARN_UNUSED_RESULT;
gboolean till_printer_sim_wait_received (TillPrinterSim *self, gsize n_bytes, guint timeout_ms);

G_END_DECLS
