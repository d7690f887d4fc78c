/* till-serial-scanner.h: barcode scanners on a serial port (or any TillTransport)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* ---- Framing --------------------------------------------------------------
 * A serial scanner sends each code as [prefix] code [suffix]. The framer turns
 * the byte stream into codes; it does no I/O, so the driver and the tests share
 * it. Its rules:
 * - The suffix ends a code. A suffix made only of CR and LF (CR, LF, CRLF) is a
 *   line ending: any CR or LF ends a code and empty lines are skipped, so a
 *   scanner set to CR while the till expects CRLF still works. Any other suffix
 *   (e.g. Tab, ETX) must match exactly.
 * - With no suffix, a pause of the inter-character timeout ends a code.
 * - With a suffix, bytes still waiting for it when the timeout passes are a cut
 *   code and are DROPPED, not delivered: half a barcode may well be another
 *   valid code (a shorter product code, a different amount).
 * - The prefix is stripped. With a prefix set, anything before it is line noise
 *   and is skipped, and a code that lacks it is dropped.
 * - A code holding control bytes (other than GS, the GS1 separator) or invalid
 *   UTF-8 is garbage and is dropped, as is one longer than TILL_SCAN_MAX_CODE_LENGTH. */
#define TILL_SCAN_MAX_CODE_LENGTH 1024
#define TILL_SCAN_DEFAULT_TIMEOUT_MS 100

typedef struct _TillScanFramer TillScanFramer;

/* @prefix and @suffix are bytes (NULL or "" for none). */
TillScanFramer *till_scan_framer_new (const char *prefix,
                                      const char *suffix,
                                      guint       timeout_ms) G_GNUC_WARN_UNUSED_RESULT;
void            till_scan_framer_free (TillScanFramer *self);
/* Feeds bytes that arrived at @now_ms; completed codes are appended to @codes
 * (an array of strings). */
void till_scan_framer_feed (
    TillScanFramer *self, const guint8 *data, gsize len, gint64 now_ms, GPtrArray *codes);
/* Applies the inter-character timeout at @now_ms: with no suffix, a pending code
 * is appended to @codes; with one, it is dropped. */
void till_scan_framer_check_timeout (TillScanFramer *self, gint64 now_ms, GPtrArray *codes);
/* The time (ms, the clock of @now_ms) at which the pending bytes time out, or
 * G_MAXINT64 when nothing is pending: a read need not wait longer. */
gint64 till_scan_framer_get_deadline_ms (TillScanFramer *self);
/* Codes dropped as cut or garbage so far, for diagnostics. */
guint till_scan_framer_get_dropped (TillScanFramer *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillScanFramer, till_scan_framer_free)

/* ---- The driver ------------------------------------------------------------ */
#define TILL_SERIAL_SCANNER_ERROR (till_serial_scanner_error_quark ())
GQuark till_serial_scanner_error_quark (void);

typedef enum
{
  TILL_SERIAL_SCANNER_ERROR_INVALID_URI,
  TILL_SERIAL_SCANNER_ERROR_FAILED,
} TillSerialScannerError;

typedef enum
{
  TILL_SERIAL_SCANNER_STATE_STOPPED,
  TILL_SERIAL_SCANNER_STATE_CONNECTING,
  TILL_SERIAL_SCANNER_STATE_READY,
  TILL_SERIAL_SCANNER_STATE_DISCONNECTED, /* see error-message; retried by itself */
} TillSerialScannerState;

#define TILL_TYPE_SERIAL_SCANNER_STATE (till_serial_scanner_state_get_type ())
GType till_serial_scanner_state_get_type (void) G_GNUC_CONST;

/* How long the worker waits before opening the port again after it failed or
 * went away. */
#define TILL_SERIAL_SCANNER_RETRY_MS 1000

#define TILL_TYPE_SERIAL_SCANNER (till_serial_scanner_get_type ())
G_DECLARE_FINAL_TYPE (TillSerialScanner, till_serial_scanner, TILL, SERIAL_SCANNER, GObject)

/* @uri is a transport URI with the scanner's settings in its query:
 *   serial:///dev/ttyUSB0?baud=9600&protocol=scanner&prefix=%02&suffix=%0D%0A&gap=100
 * protocol=scanner (optional), prefix and suffix (percent-encoded bytes; suffix
 * defaults to CR, "none" or empty means no suffix), gap (the inter-character
 * timeout in ms). These keys are taken out before the rest goes to the transport.
 * Nothing is opened yet; an invalid setting is TILL_SERIAL_SCANNER_ERROR_INVALID_URI.
 *
 * Signals, emitted in the thread-default main context of the creating thread
 * (create, use and drop the scanner in that thread):
 *   "code-scanned" (const char *code)
 * Properties: "state" (TillSerialScannerState), "error-message" (string). */
TillSerialScanner *till_serial_scanner_new (const char *uri,
                                            GError    **error) G_GNUC_WARN_UNUSED_RESULT;
const char        *till_serial_scanner_get_uri (TillSerialScanner *self);
/* The transport URI the worker opens (the scanner keys taken out). */
const char *till_serial_scanner_get_transport_uri (TillSerialScanner *self);
/* Starts the worker thread, which opens the port, reads codes and reopens the
 * port after an unplug; a no-op when running. */
void till_serial_scanner_start (TillSerialScanner *self);
/* Stops and joins the worker (within about 100 ms); no code read before the stop
 * is emitted after it. */
void                   till_serial_scanner_stop (TillSerialScanner *self);
TillSerialScannerState till_serial_scanner_get_state (TillSerialScanner *self);
const char            *till_serial_scanner_get_error_message (TillSerialScanner *self);
/* Codes dropped as cut or garbage (read in the worker; for diagnostics). */
guint till_serial_scanner_get_dropped (TillSerialScanner *self);

G_END_DECLS
