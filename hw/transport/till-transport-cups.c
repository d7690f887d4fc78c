/* till-transport-cups.c: cups://Queue, a raw job through libcups
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-transport"

#include "config.h"

#include <cups/cups.h>
#include <sys/socket.h>

#include "till-transport-cups.h"

#define DEFAULT_WAIT_MS 10000
#define CONNECT_TIMEOUT_MS 5000

typedef struct
{
  char       *queue;
  char       *server; /* for messages */
  http_t     *http;
  int         job_id; /* 0 until the first write */
  guint       wait_ms;
  const char *format; /* CUPS_FORMAT_RAW, or CUPS_FORMAT_PDF for label printers */
} CupsState;

static http_t *
connect_server (const char *server, GError **error)
{
  http_t *http = httpConnect2 (server, ippPort (), NULL, AF_UNSPEC, cupsEncryption (), 1,
                               CONNECT_TIMEOUT_MS, NULL);

  if (http == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                 "Cannot reach the CUPS server %s: is cupsd running?", server);
  return http;
}

static gpointer
cups_open (GUri *uri, GError **error)
{
  const char  *queue = g_uri_get_host (uri);
  const char  *query = g_uri_get_query (uri);
  cups_dest_t *dest;
  const char  *printer_state;
  const char  *accepting;
  g_autoptr (GHashTable) params = NULL;
  CupsState *state;
  guint64    wait_ms = DEFAULT_WAIT_MS;

  if (queue == NULL || *queue == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "A CUPS URI names the queue, as in cups://Receipt");
      return NULL;
    }
  if (query != NULL)
    {
      const char *text;

      params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL);
      text = params != NULL ? g_hash_table_lookup (params, "wait") : NULL;
      if (params == NULL ||
          (text != NULL && !g_ascii_string_to_unsigned (text, 10, 0, 600000, &wait_ms, NULL)))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "Bad parameters “%s”: wait= is a number of milliseconds", query);
          return NULL;
        }
      text = g_hash_table_lookup (params, "format");
      if (text != NULL && !g_str_equal (text, "raw") && !g_str_equal (text, "pdf"))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "Bad parameters “%s”: format= is raw or pdf", query);
          return NULL;
        }
    }

  state = g_new0 (CupsState, 1);
  state->queue = g_strdup (queue);
  state->server = g_strdup (cupsServer ());
  state->wait_ms = (guint) wait_ms;
  /* A label printer's queue has a driver: it takes pages as PDF and filters
   * them, where a receipt printer takes our ESC/POS bytes untouched. */
  state->format = params != NULL && g_strcmp0 (g_hash_table_lookup (params, "format"), "pdf") == 0
                      ? CUPS_FORMAT_PDF
                      : CUPS_FORMAT_RAW;
  state->http = connect_server (state->server, error);
  if (state->http == NULL)
    goto failed;
  dest = cupsGetNamedDest (state->http, queue, NULL);
  if (dest == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "The CUPS server %s has no queue “%s”",
                   state->server, queue);
      goto failed;
    }
  printer_state = cupsGetOption ("printer-state", dest->num_options, dest->options);
  accepting = cupsGetOption ("printer-is-accepting-jobs", dest->num_options, dest->options);
  if (g_strcmp0 (printer_state, "5") == 0 || g_strcmp0 (accepting, "false") == 0)
    {
      const char *message =
          cupsGetOption ("printer-state-message", dest->num_options, dest->options);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                   "The CUPS queue “%s” is %s%s%s (cupsenable/cupsaccept %s starts it again)",
                   queue, g_strcmp0 (printer_state, "5") == 0 ? "stopped" : "not accepting jobs",
                   message != NULL && *message != '\0' ? ": " : "", message ? message : "", queue);
      cupsFreeDests (1, dest);
      goto failed;
    }
  cupsFreeDests (1, dest);
  return state;

failed:
  if (state->http != NULL)
    httpClose (state->http);
  g_free (state->queue);
  g_free (state->server);
  g_free (state);
  return NULL;
}

static gboolean
cups_write_all (gpointer data, const guint8 *bytes, gsize len, GError **error)
{
  CupsState *state = data;

  if (state->job_id == 0)
    {
      state->job_id = cupsCreateJob (state->http, state->queue, "opentill", 0, NULL);
      if (state->job_id == 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "CUPS refused a job on queue “%s”: %s",
                       state->queue, cupsLastErrorString ());
          return FALSE;
        }
      if (cupsStartDocument (state->http, state->queue, state->job_id, "receipt", state->format,
                             1) != HTTP_STATUS_CONTINUE)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "CUPS refused the document of job %d on queue “%s”: %s", state->job_id,
                       state->queue, cupsLastErrorString ());
          cupsCancelJob2 (state->http, state->queue, state->job_id, 0);
          state->job_id = -1;
          return FALSE;
        }
    }
  else if (state->job_id < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "The job on queue “%s” failed already",
                   state->queue);
      return FALSE;
    }
  if (len > 0 &&
      cupsWriteRequestData (state->http, (const char *) bytes, len) != HTTP_STATUS_CONTINUE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                   "Sending job %d to CUPS queue “%s” failed: %s", state->job_id, state->queue,
                   cupsLastErrorString ());
      state->job_id = -1;
      return FALSE;
    }
  return TRUE;
}

/* The job's state (ipp_jstate_t) and CUPS' words for it, or 0 when the server
 * does not answer. */
static int
get_job_state (CupsState *state, char **out_reason)
{
  g_autofree char *printer_uri = NULL;
  ipp_t           *request = ippNewRequest (IPP_OP_GET_JOB_ATTRIBUTES);
  ipp_t           *response;
  ipp_attribute_t *attribute;
  int              job_state = 0;

  printer_uri = g_strdup_printf ("ipp://localhost/printers/%s", state->queue);
  ippAddString (request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, printer_uri);
  ippAddInteger (request, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", state->job_id);
  ippAddString (request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL,
                cupsUser ());
  response = cupsDoRequest (state->http, request, "/");
  if (response == NULL)
    return 0;
  attribute = ippFindAttribute (response, "job-state", IPP_TAG_ENUM);
  if (attribute != NULL)
    job_state = ippGetInteger (attribute, 0);
  if (out_reason != NULL)
    {
      attribute = ippFindAttribute (response, "job-printer-state-message", IPP_TAG_TEXT);
      if (attribute == NULL || ippGetString (attribute, 0, NULL) == NULL ||
          *ippGetString (attribute, 0, NULL) == '\0')
        attribute = ippFindAttribute (response, "job-state-reasons", IPP_TAG_KEYWORD);
      *out_reason = attribute != NULL ? g_strdup (ippGetString (attribute, 0, NULL)) : NULL;
    }
  ippDelete (response);
  return job_state;
}

static gboolean
cups_close (gpointer data, GError **error)
{
  CupsState *state = data;
  gint64     deadline;
  gulong     pause_us = 2000;
  int        job_state = 0;

  if (state->job_id == 0)
    return TRUE; /* nothing was printed: no job */
  if (state->job_id < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "The job on queue “%s” failed",
                   state->queue);
      return FALSE;
    }
  if (cupsFinishDocument (state->http, state->queue) > IPP_STATUS_OK_EVENTS_COMPLETE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "CUPS did not take job %d on queue “%s”: %s", state->job_id, state->queue,
                   cupsLastErrorString ());
      return FALSE;
    }
  if (state->wait_ms == 0)
    return TRUE;

  /* Wait for the job to leave the queue, so a failure reaches the till (and a
   * receipt that did not print stays in the till's own print queue). */
  deadline = g_get_monotonic_time () + state->wait_ms * G_TIME_SPAN_MILLISECOND;
  for (;;)
    {
      g_autofree char *reason = NULL;

      job_state = get_job_state (state, &reason);
      if (job_state == IPP_JSTATE_COMPLETED)
        return TRUE;
      if (job_state == IPP_JSTATE_STOPPED || job_state == IPP_JSTATE_CANCELED ||
          job_state == IPP_JSTATE_ABORTED)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "CUPS %s job %d on queue “%s”%s%s",
                       job_state == IPP_JSTATE_STOPPED    ? "stopped"
                       : job_state == IPP_JSTATE_CANCELED ? "cancelled"
                                                          : "aborted",
                       state->job_id, state->queue, reason != NULL ? ": " : "",
                       reason != NULL ? reason : "");
          if (job_state == IPP_JSTATE_STOPPED)
            cupsCancelJob2 (state->http, state->queue, state->job_id, 0);
          return FALSE;
        }
      if (g_get_monotonic_time () >= deadline)
        {
          /* Cancel it: the till's print queue keeps the receipt and retries,
           * and a late copy from CUPS would print it twice. */
          cupsCancelJob2 (state->http, state->queue, state->job_id, 0);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "Job %d on CUPS queue “%s” did not print within %u ms%s%s; it was "
                       "cancelled",
                       state->job_id, state->queue, state->wait_ms, reason != NULL ? ": " : "",
                       reason != NULL ? reason : "");
          return FALSE;
        }
      g_usleep (pause_us);
      pause_us = MIN (pause_us * 2, 50000);
    }
}

static void
cups_free (gpointer data)
{
  CupsState *state = data;

  if (state->http != NULL)
    httpClose (state->http);
  g_free (state->queue);
  g_free (state->server);
  g_free (state);
}

const TillTransportBackend till_transport_cups_backend = {
  .scheme = "cups",
  .open = cups_open,
  .write_all = cups_write_all,
  .read = NULL, /* CUPS gives no status bytes back */
  .close = cups_close,
  .free = cups_free,
};

static void
queue_info_free (gpointer data)
{
  TillCupsQueueInfo *info = data;

  g_free (info->name);
  g_free (info->device_uri);
  g_free (info->info);
  g_free (info);
}

/**
 * till_transport_cups_list_queues:
 * The queues on the CUPS server libcups talks to.
 */
GPtrArray *
till_transport_cups_list_queues (GError **error)
{
  const char  *server = cupsServer ();
  http_t      *http;
  cups_dest_t *dests = NULL;
  int          n_dests;
  GPtrArray   *infos;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  http = connect_server (server, error);
  if (http == NULL)
    return NULL;
  n_dests = cupsGetDests2 (http, &dests);
  infos = g_ptr_array_new_with_free_func (queue_info_free);
  for (int i = 0; i < n_dests; i++)
    {
      TillCupsQueueInfo *info;

      if (dests[i].instance != NULL)
        continue;
      info = g_new0 (TillCupsQueueInfo, 1);
      info->name = g_strdup (dests[i].name);
      info->is_default = dests[i].is_default != 0;
      info->device_uri =
          g_strdup (cupsGetOption ("device-uri", dests[i].num_options, dests[i].options));
      info->info =
          g_strdup (cupsGetOption ("printer-info", dests[i].num_options, dests[i].options));
      info->stopped =
          g_strcmp0 (cupsGetOption ("printer-state", dests[i].num_options, dests[i].options),
                     "5") == 0;
      g_ptr_array_add (infos, info);
    }
  cupsFreeDests (n_dests, dests);
  httpClose (http);
  return infos;
}
