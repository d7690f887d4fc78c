/* till-print-queue.h: the durable print queue: receipts wait here until printed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(TILL_CORE_INSIDE) && !defined(TILL_CORE_COMPILATION)
#error "Only <till-core.h> can be included directly."
#endif

#include <glib-object.h>

#include "till-types.h"

G_BEGIN_DECLS

/* A print job is the exact bytes for the device, stored in the print_job table
 * before anything is sent, so that a receipt the printer could not take is never
 * lost: it stays queued with the reason until it prints. Printing is
 * at-least-once: a job interrupted mid-write (crash, power cut) is sent again on
 * the next start, so a receipt can come out twice, never not at all.
 *
 * The queue is plain rows on the store's connection: call it from the thread
 * that owns the store (the GTK main thread in the till). The device I/O belongs
 * to a worker that is handed the bytes and reports back. */

#define TILL_PRINT_QUEUE_ERROR (till_print_queue_error_quark ())

typedef enum
{
  TILL_PRINT_QUEUE_ERROR_FAILED,
  TILL_PRINT_QUEUE_ERROR_NOT_FOUND, /* no job with that id */
  TILL_PRINT_QUEUE_ERROR_STATE,     /* the job is not in a state that allows this */
} TillPrintQueueError;

typedef enum
{
  TILL_PRINT_JOB_RECEIPT, /* "receipt": the customer receipt of a sale */
  TILL_PRINT_JOB_COPY,    /* "copy": a reprint, marked as a copy */
  TILL_PRINT_JOB_DRAWER,  /* "drawer": the cash drawer pulse */
  TILL_PRINT_JOB_TEST,    /* "test": a test page */
  TILL_PRINT_JOB_REFUND,  /* "refund": the refund slip of a return (return_uuid) */
  TILL_PRINT_JOB_TOP_UP,  /* "top-up": the slip of a stored-value top-up (issue 9) */
  TILL_PRINT_JOB_REPORT,  /* "report": an X, shift close or Z report (issue 10) */
  TILL_PRINT_JOB_LABEL,   /* "label": shelf-edge labels (issue 11) */
} TillPrintJobKind;

typedef enum
{
  TILL_PRINT_JOB_QUEUED,   /* "queued": waiting, or waiting again after a failure */
  TILL_PRINT_JOB_PRINTING, /* "printing": handed to the device */
  TILL_PRINT_JOB_DONE,     /* "done": the device took every byte */
  TILL_PRINT_JOB_FAILED,   /* "failed": given up, never sent again */
} TillPrintJobState;

/* Which jobs till_print_queue_next() looks at: a drawer on its own port is
 * served apart from the printer, so that a printer out of paper never keeps the
 * drawer shut. */
typedef enum
{
  TILL_PRINT_QUEUE_ANY,
  TILL_PRINT_QUEUE_DRAWER_ONLY,
  TILL_PRINT_QUEUE_PAPER_ONLY, /* everything but drawer pulses */
} TillPrintQueueFilter;

typedef struct
{
  gint64            id;
  char             *sale_uuid; /* nullable: test pages and drawer pulses without a sale */
  TillPrintJobKind  kind;
  GBytes           *payload; /* the exact bytes for the device */
  TillPrintJobState state;
  int               attempts;    /* times it was handed to the device */
  char             *last_error;  /* nullable: why the last attempt failed */
  gint64            created_us;  /* wall clock, µs since the epoch */
  gint64            printed_us;  /* 0 until done */
  char             *return_uuid; /* nullable: the return a refund slip (or its drawer) is for */
} TillPrintJob;

#define TILL_TYPE_PRINT_JOB (till_print_job_get_type ())

GType         till_print_job_get_type (void) G_GNUC_CONST;
TillPrintJob *till_print_job_copy (const TillPrintJob *job);
void          till_print_job_free (TillPrintJob *job);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillPrintJob, till_print_job_free)

GQuark      till_print_queue_error_quark (void);
const char *till_print_job_kind_to_string (TillPrintJobKind kind);
const char *till_print_job_state_to_string (TillPrintJobState state);

/* Adds a job at the end of the queue. Runs in the caller's transaction when one
 * is open (so a job can be recorded with what it belongs to), else in its own.
 * Returns: the job id, or 0 with @error set. */
gint64 till_print_queue_enqueue (TillStore       *store,
                                 TillPrintJobKind kind,
                                 const char      *sale_uuid,
                                 GBytes          *payload,
                                 GError         **error);

/* The receipt of a completed sale, and for a cash sale the drawer pulse before
 * it and the drawer_event that records the opening, in ONE transaction: the
 * drawer is never opened unrecorded. @drawer_kick NULL: no drawer; @receipt
 * NULL: no printer (a drawer of its own only). Call it only
 * after the sale is committed; a failure here leaves the sale as it is.
 * Outputs may be NULL. */
gboolean till_print_queue_enqueue_sale (TillStore  *store,
                                        const char *sale_uuid,
                                        GBytes     *receipt,
                                        GBytes     *drawer_kick,
                                        const char *user_code,
                                        gint64     *out_receipt_job,
                                        gint64     *out_drawer_job,
                                        GError    **error);

/* The refund slip of a committed return and, when cash goes out, the drawer
 * pulse before it and the drawer_event (reason "refund", naming the return)
 * that records the opening, in ONE transaction, as for a sale. Both jobs name
 * the return in return_uuid (and have no sale_uuid). @drawer_kick NULL: no
 * drawer; @slip NULL: no printer. Call it only after the return is committed;
 * a failure here leaves the return as it is. Outputs may be NULL. */
gboolean till_print_queue_enqueue_refund (TillStore  *store,
                                          const char *return_uuid,
                                          GBytes     *slip,
                                          GBytes     *drawer_kick,
                                          const char *user_code,
                                          gint64     *out_slip_job,
                                          gint64     *out_drawer_job,
                                          GError    **error);

/* The oldest queued job that @filter lets through; *out_job is NULL (and TRUE
 * returned) when there is none. */
gboolean till_print_queue_next (TillStore           *store,
                                TillPrintQueueFilter filter,
                                TillPrintJob       **out_job,
                                GError             **error);
TillPrintJob *
till_print_queue_get (TillStore *store, gint64 id, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Jobs still to print (queued or printing), oldest first. */
GPtrArray *till_print_queue_list_pending (TillStore *store, GError **error);
/* How many jobs still to print, or -1 with @error set. */
gint64 till_print_queue_count_pending (TillStore *store, GError **error);

/* queued → printing, counting the attempt: the bytes go to the device now. */
gboolean till_print_queue_mark_printing (TillStore *store, gint64 id, GError **error);
/* printing → done: the device took every byte. */
gboolean till_print_queue_mark_done (TillStore *store, gint64 id, GError **error);
/* printing → queued again, with @message saying why: it is retried later. */
gboolean
till_print_queue_mark_failed (TillStore *store, gint64 id, const char *message, GError **error);
/* queued → failed: given up with @message (a drawer pulse too late to send, a
 * job an operator discarded); never sent again. */
gboolean
till_print_queue_give_up (TillStore *store, gint64 id, const char *message, GError **error);
/* At start: jobs left 'printing' by a till that stopped mid-write go back to
 * 'queued' (at-least-once). Returns how many, or -1 with @error set. */
gint64 till_print_queue_recover (TillStore *store, GError **error);

G_END_DECLS
