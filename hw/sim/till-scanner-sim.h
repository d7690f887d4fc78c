/* till-scanner-sim.h: a serial barcode scanner on a pseudo-terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The simulator keeps the master end of a raw pty and "scans" by writing what
 * a scanner sends: prefix, code, suffix. The driver opens the slave end
 * (till_scanner_sim_get_uri()) as a serial port. Every call writes at once, from
 * the calling thread. */
typedef struct _TillScannerSim TillScannerSim;

/* @prefix and @suffix are bytes, NULL or "" for none (a suffix of "\r" is the
 * factory setting of most scanners). */
TillScannerSim *till_scanner_sim_new (const char *prefix,
                                      const char *suffix,
                                      GError    **error) G_GNUC_WARN_UNUSED_RESULT;
void            till_scanner_sim_free (TillScannerSim *self);
const char     *till_scanner_sim_get_device_path (TillScannerSim *self);
/* serial:///dev/pts/N?baud=9600&protocol=scanner&prefix=…&suffix=…, plus
 * @extra_query (e.g. "gap=50") when not NULL. */
char *till_scanner_sim_get_uri (TillScannerSim *self,
                                const char     *extra_query) G_GNUC_WARN_UNUSED_RESULT;

/* One scan: prefix, @code, suffix. With @char_delay_us > 0 the bytes trickle
 * out one at a time, as at a slow baud rate. */
gboolean
till_scanner_sim_scan (TillScannerSim *self, const char *code, guint char_delay_us, GError **error);
/* A scan cut off after @cut_at bytes of the code (prefix sent, no suffix), as
 * when the cable is jostled. */
gboolean
till_scanner_sim_scan_cut (TillScannerSim *self, const char *code, gsize cut_at, GError **error);
/* @len bytes of line noise from @seed: never the prefix's or suffix's bytes, CR
 * or LF, and always at least one control byte. */
gboolean
till_scanner_sim_send_noise (TillScannerSim *self, gsize len, guint32 seed, GError **error);
gboolean
till_scanner_sim_send_raw (TillScannerSim *self, const guint8 *data, gsize len, GError **error);
/* Closes the master end: to the driver, the scanner was unplugged. */
void till_scanner_sim_unplug (TillScannerSim *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillScannerSim, till_scanner_sim_free)

G_END_DECLS
