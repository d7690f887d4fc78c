/* till-printer-monitor.h: sends the print queue to the printer and the drawer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include <till-core.h>
#include <till-shelf-label.h>

G_BEGIN_DECLS

typedef enum
{
  TILL_PRINTER_STATE_NONE,     /* no printer and no drawer configured */
  TILL_PRINTER_STATE_READY,    /* nothing waiting */
  TILL_PRINTER_STATE_PRINTING, /* a job is with the device */
  TILL_PRINTER_STATE_TROUBLE,  /* the last attempt failed: "message" says why */
} TillPrinterState;

/* The till's side of the print queue (till-print-queue.h). It writes jobs to the
 * queue on the main thread, hands their bytes to a worker thread that sends
 * them to the device, and records the outcome when the worker reports back: the
 * store's connection never leaves the main thread. A failed job stays queued
 * with its reason and is retried with a growing pause (2 s up to 30 s), or at
 * once on till_printer_monitor_retry(). Jobs left from a previous run are sent
 * on start.
 *
 * Before a receipt, and after a failed one, the worker asks the printer its
 * status (DLE EOT) where the transport can read back, so that the message is the
 * printer's own reason (out of paper, cover open, offline); a printer that
 * cannot answer gets the job all the same. The printer's options come from its
 * URI (till_printer_profile_new_from_uri); a wrong one is shown as trouble.
 *
 * Properties: "state" (TillPrinterState as uint), "message" (string, nullable:
 * why printing fails, for the screen; in READY or PRINTING a warning such as
 * paper running low), "n-pending" (uint: jobs not yet printed).
 * Signal: "job-done" (gint64 job id): a job was printed. */
#define TILL_TYPE_PRINTER_MONITOR (till_printer_monitor_get_type ())
G_DECLARE_FINAL_TYPE (TillPrinterMonitor, till_printer_monitor, TILL, PRINTER_MONITOR, GObject)

/* @printer_uri: NULL when there is no printer. @drawer_uri: "printer" or NULL
 * for a drawer kicked through the printer, or a transport URI of its own. */
TillPrinterMonitor *till_printer_monitor_new (TillStore  *store,
                                              const char *printer_uri,
                                              const char *drawer_uri) G_GNUC_WARN_UNUSED_RESULT;

TillPrinterState till_printer_monitor_get_state (TillPrinterMonitor *self);
const char      *till_printer_monitor_get_message (TillPrinterMonitor *self);
guint            till_printer_monitor_get_n_pending (TillPrinterMonitor *self);
const char      *till_printer_monitor_get_printer_uri (TillPrinterMonitor *self);

/* Queues the receipt of a committed sale and, when @open_drawer, the drawer
 * pulse with its drawer_event, then starts sending. Fails (and changes nothing)
 * with G_IO_ERROR_NOT_FOUND when there is neither printer nor drawer, or with
 * the store's error; the sale itself is never touched. Returns the receipt's job
 * id in @out_job (0 without a printer). */
gboolean till_printer_monitor_queue_sale (TillPrinterMonitor *self,
                                          TillSale           *sale,
                                          gboolean            open_drawer,
                                          const char         *user_code,
                                          gint64             *out_job,
                                          GError            **error);
/* Queues a copy of the sale's receipt, marked as a copy with the time now. */
gboolean till_printer_monitor_queue_copy (TillPrinterMonitor *self,
                                          TillSale           *sale,
                                          gint64             *out_job,
                                          GError            **error);
/* Queues the refund slip of a committed return and, when @open_drawer (cash
 * goes out), the drawer pulse with its drawer_event (reason "refund"), then
 * starts sending; as till_printer_monitor_queue_sale(), the return itself is
 * never touched. Returns the slip's job id in @out_job (0 without a printer). */
gboolean till_printer_monitor_queue_refund (TillPrinterMonitor *self,
                                            TillReturn         *ret,
                                            gboolean            open_drawer,
                                            const char         *user_code,
                                            gint64             *out_job,
                                            GError            **error);
/* Queues a bare drawer pulse for a no-sale opening that the caller has already
 * recorded (till_drawer_open_no_sale()). Fails with G_IO_ERROR_NOT_FOUND when
 * there is no drawer, or with the store's error. */
gboolean
till_printer_monitor_queue_drawer_pulse (TillPrinterMonitor *self, gint64 *out_job, GError **error);
/* Queues the slip of the stored-value top-up @top_up_uuid (储值充值凭条) and,
 * when @open_drawer (cash was taken), the drawer pulse: the top-up recorded
 * its drawer event itself. The job ids go to @out_job (0 without a printer).
 * G_IO_ERROR_NOT_FOUND when there is neither printer nor drawer. */
gboolean till_printer_monitor_queue_top_up (TillPrinterMonitor *self,
                                            const char         *top_up_uuid,
                                            gboolean            open_drawer,
                                            gint64             *out_job,
                                            GError            **error);
/* Queues a shift report (X, shift close or Z, encoded here for this
 * printer) as a "report" job and, when @open_drawer, the drawer pulse before
 * it: the act that opens the drawer recorded its drawer_event itself (a
 * cash movement does). The report's job id goes to @out_job (0 without a
 * printer). G_IO_ERROR_NOT_FOUND when there is no printer (nor, with
 * @open_drawer, a drawer). */
gboolean till_printer_monitor_queue_report (TillPrinterMonitor    *self,
                                            const TillShiftReport *report,
                                            gboolean               open_drawer,
                                            gint64                *out_job,
                                            GError               **error);
/* Queues shelf-edge labels (till-shelf-label.h: one after another, each
 * as many times as it appears in @labels) as one "label" job, encoded here
 * for this printer. The job id goes to @out_job. G_IO_ERROR_NOT_FOUND when
 * there is no printer, G_IO_ERROR_INVALID_ARGUMENT for no labels. */
gboolean till_printer_monitor_queue_labels (TillPrinterMonitor   *self,
                                            const TillShelfLabel *labels,
                                            guint                 n_labels,
                                            gint64               *out_job,
                                            GError              **error);
/* Tries the waiting jobs now instead of after the pause. */
void till_printer_monitor_retry (TillPrinterMonitor *self);
/* Other devices (as for _new()), now or, while a job is being sent, as soon
 * as it is back; the queue is kept. */
void till_printer_monitor_set_uris (TillPrinterMonitor *self,
                                    const char         *printer_uri,
                                    const char         *drawer_uri);

G_END_DECLS
