/* test-cups.c: tests for hw/transport/till-transport-cups.c against a real,
 * private cupsd
 *
 * The suite starts its own scheduler (TESTING.md §4): config, spool, logs and
 * socket in a scratch directory, no TCP port. A raw queue points at
 * socket://127.0.0.1:PORT, a loopback listener of the test, which is exactly
 * what a port-9100 printer receives; the bytes that arrive are compared.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "till-escpos.h"
#include "till-shelf-label.h"
#include "till-test-util.h"
#include "till-transport-cups.h"
#include "till-transport.h"

/* The label test draws a PDF: cairo 1.16 loses two small arrays when it
 * finishes a PDF surface, found only by the slow unwinder. */
const char *__lsan_default_suppressions (void);
const char *
__lsan_default_suppressions (void)
{
  return "leak:cairo_surface_finish\n";
}

const char *__asan_default_options (void);
const char *
__asan_default_options (void)
{
  return "fast_unwind_on_malloc=0";
}

#define CUPSD "/usr/sbin/cupsd"

static char   *scratch;
static GPid    cupsd_pid;
static int     listen_fd = -1;
static guint16 listen_port;

/* Runs a CUPS command line tool against the private scheduler. */
static void
run_tool (const char *const *argv)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (GError) error = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                     &status, &error))
    ck_abort_msg ("%s: %s", argv[0], error->message);
  if (!g_spawn_check_wait_status (status, NULL))
    ck_abort_msg ("%s %s failed: %s%s", argv[0], argv[1], out, err);
}

static void
write_bytes (const char *dir, const char *name, const char *contents, gssize length, int mode)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;

  if (!g_file_set_contents (path, contents, length, &error))
    ck_abort_msg ("%s", error->message);
  chmod (path, mode);
}

static void
write_file (const char *dir, const char *name, const char *contents, int mode)
{
  write_bytes (dir, name, contents, -1, mode);
}

/* ServerBin: the system's filters and helpers, and a backend directory of our
 * own. The socket backend ships in the “cups” package, which make deps
 * installs; where only cups-daemon is there, a bash stand-in speaks the same
 * socket:// URI. */
static void
make_server_bin (const char *server_bin)
{
  static const char *const system_dirs[] = { "filter",  "daemon",  "notifier",
                                             "cgi-bin", "monitor", "driver" };
  g_autofree char         *backend_dir = g_build_filename (server_bin, "backend", NULL);

  g_mkdir_with_parents (backend_dir, 0755);
  for (gsize i = 0; i < G_N_ELEMENTS (system_dirs); i++)
    {
      g_autofree char *target = g_build_filename ("/usr/lib/cups", system_dirs[i], NULL);
      g_autofree char *link = g_build_filename (server_bin, system_dirs[i], NULL);

      if (g_file_test (target, G_FILE_TEST_IS_DIR))
        ck_assert_int_eq (symlink (target, link), 0);
    }
  if (g_file_test ("/usr/lib/cups/backend/socket", G_FILE_TEST_IS_EXECUTABLE))
    {
      /* CUPS's own backend, copied with mode 0700: cupsd then runs it as root
       * (at 0755 it would run as lp, which cannot enter this private folder). */
      g_autofree char *contents = NULL;
      gsize            length = 0;

      ck_assert (g_file_get_contents ("/usr/lib/cups/backend/socket", &contents, &length, NULL));
      write_bytes (backend_dir, "socket", contents, (gssize) length, 0700);
    }
  else
    /* 0700 and owned by root: cupsd runs it as root, as it runs its own. */
    write_file (backend_dir, "socket",
                "#!/bin/bash\n"
                "[ $# -eq 0 ] && { echo 'network socket \"Unknown\" \"AppSocket (test)\"'; "
                "exit 0; }\n"
                "hp=\"${DEVICE_URI#socket://}\"; hp=\"${hp%%/*}\"; hp=\"${hp%%\\?*}\"\n"
                "exec 3<>\"/dev/tcp/${hp%:*}/${hp##*:}\" || exit 1\n"
                "if [ $# -ge 6 ]; then cat \"$6\" >&3; else cat >&3; fi || exit 1\n"
                "exec 3>&-\n",
                0700);
}

static void
setup_cupsd (void)
{
  static const char *const dirs[] = { "etc/ppd", "etc/ssl", "spool/tmp", "cache",
                                      "state",   "log",     "run",       "serverbin" };
  g_autofree char         *etc = NULL;
  g_autofree char         *socket_path = NULL;
  g_autofree char         *cupsd_conf = NULL;
  g_autofree char         *files_conf = NULL;
  g_autofree char         *conf = NULL;
  g_autofree char         *files = NULL;
  g_autofree char         *device_uri = NULL;
  g_autoptr (GError) error = NULL;
  struct sockaddr_in address = { .sin_family = AF_INET };
  socklen_t          address_len = sizeof address;
  gint64             deadline;
  const char        *cupsd_argv[7];

  /* Not skipped: CI installs cups-daemon, so a missing cupsd is a broken setup. */
  if (!g_file_test (CUPSD, G_FILE_TEST_IS_EXECUTABLE))
    ck_abort_msg ("%s not found: install cups-daemon and cups-client (make deps does)", CUPSD);

  scratch = till_test_make_tmpdir ();
  for (gsize i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *dir = g_build_filename (scratch, dirs[i], NULL);

      g_mkdir_with_parents (dir, 0755);
    }
  etc = g_build_filename (scratch, "etc", NULL);
  socket_path = g_build_filename (scratch, "run", "cups.sock", NULL);
  conf = g_strdup_printf ("LogLevel warn\n"
                          "Listen %s\n"
                          "Browsing No\n"
                          "WebInterface No\n"
                          "DefaultAuthType None\n"
                          "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
                          "<Location /admin>\n  Order allow,deny\n  Allow all\n</Location>\n",
                          socket_path);
  files = g_strdup_printf ("ServerRoot %1$s/etc\n"
                           "RequestRoot %1$s/spool\n"
                           "TempDir %1$s/spool/tmp\n"
                           "CacheDir %1$s/cache\n"
                           "StateDir %1$s/state\n"
                           "AccessLog %1$s/log/access_log\n"
                           "ErrorLog %1$s/log/error_log\n"
                           "PageLog %1$s/log/page_log\n"
                           "Printcap %1$s/run/printcap\n"
                           "ServerBin %1$s/serverbin\n"
                           "FileDevice Yes\n"
                           "SystemGroup root\n",
                           scratch);
  write_file (etc, "cupsd.conf", conf, 0644);
  write_file (etc, "cups-files.conf", files, 0644);
  {
    g_autofree char *server_bin = g_build_filename (scratch, "serverbin", NULL);

    make_server_bin (server_bin);
  }

  cupsd_conf = g_build_filename (etc, "cupsd.conf", NULL);
  files_conf = g_build_filename (etc, "cups-files.conf", NULL);
  cupsd_argv[0] = CUPSD;
  cupsd_argv[1] = "-f";
  cupsd_argv[2] = "-c";
  cupsd_argv[3] = cupsd_conf;
  cupsd_argv[4] = "-s";
  cupsd_argv[5] = files_conf;
  cupsd_argv[6] = NULL;
  if (!g_spawn_async (NULL, (char **) cupsd_argv, NULL,
                      G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL |
                          G_SPAWN_STDERR_TO_DEV_NULL,
                      NULL, NULL, &cupsd_pid, &error))
    ck_abort_msg ("Cannot start cupsd: %s", error->message);
  g_setenv ("CUPS_SERVER", socket_path, TRUE);

  /* Wait (bounded) for the scheduler to answer on its socket. */
  deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  for (;;)
    {
      const char *const lpstat[] = { "lpstat", "-r", NULL };
      g_autofree char  *out = NULL;
      int               status = 0;

      if (g_spawn_sync (NULL, (char **) lpstat, NULL,
                        G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL,
                        &status, NULL) &&
          out != NULL && strstr (out, "is running") != NULL && strstr (out, "not") == NULL)
        break;
      if (g_get_monotonic_time () > deadline)
        ck_abort_msg ("cupsd did not answer on %s within 10 s", socket_path);
      g_usleep (20 * G_TIME_SPAN_MILLISECOND);
    }

  /* The printer: a loopback listener; jobs are read in each test. */
  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  listen_fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ck_assert_int_eq (bind (listen_fd, (struct sockaddr *) &address, sizeof address), 0);
  ck_assert_int_eq (listen (listen_fd, 4), 0);
  ck_assert_int_eq (getsockname (listen_fd, (struct sockaddr *) &address, &address_len), 0);
  listen_port = ntohs (address.sin_port);
  device_uri = g_strdup_printf ("socket://127.0.0.1:%u", listen_port);
  {
    const char *const add_q[] = { "lpadmin", "-p", "q", "-E", "-v", device_uri, NULL };
    const char *const add_stopped[] = { "lpadmin", "-p", "stopped", "-E", "-v", device_uri, NULL };
    const char *const disable[] = { "cupsdisable", "stopped", NULL };

    run_tool (add_q);
    run_tool (add_stopped);
    run_tool (disable);
  }
}

static void
teardown_cupsd (void)
{
  gint64 deadline;
  int    status;

  if (cupsd_pid > 0)
    {
      /* cupsd takes about 1.6 s to exit on SIGTERM: wait for it, bounded. */
      kill (cupsd_pid, SIGTERM);
      deadline = g_get_monotonic_time () + 15 * G_TIME_SPAN_SECOND;
      while (waitpid (cupsd_pid, &status, WNOHANG) == 0)
        {
          if (g_get_monotonic_time () > deadline)
            {
              kill (cupsd_pid, SIGKILL);
              waitpid (cupsd_pid, &status, 0);
              break;
            }
          g_usleep (20 * G_TIME_SPAN_MILLISECOND);
        }
      g_spawn_close_pid (cupsd_pid);
      cupsd_pid = 0;
    }
  if (listen_fd >= 0)
    close (listen_fd);
  listen_fd = -1;
  g_unsetenv ("CUPS_SERVER");
  if (scratch != NULL)
    till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
}

/* Reads one job from the listener: a connection, to its end. */
static gpointer
receive_job_thread (gpointer data)
{
  GByteArray   *job = g_byte_array_new ();
  struct pollfd pfd = { .fd = listen_fd, .events = POLLIN };
  guint8        buffer[8192];
  int           client;
  gssize        n;

  if (poll (&pfd, 1, 20000) <= 0)
    return job;
  client = accept (listen_fd, NULL, NULL);
  if (client < 0)
    return job;
  while ((n = read (client, buffer, sizeof buffer)) > 0)
    g_byte_array_append (job, buffer, (guint) n);
  close (client);
  return job;
}

static GBytes *
make_receipt (void)
{
  g_autoptr (TillPrinterProfile) profile = till_printer_profile_new (TILL_PAPER_80MM);
  g_autoptr (TillEscpos) pos = till_escpos_new (profile);
  guint8 all_bytes[256];

  till_escpos_initialize (pos);
  till_escpos_line (pos, "好邻居便利店 CUPS 测试");
  till_escpos_row (pos, "合计", "￥12.50");
  till_escpos_qr (pos, "opentill-cups");
  /* Every byte value, so nothing on the way may translate any of them. */
  for (guint i = 0; i < 256; i++)
    all_bytes[i] = (guint8) i;
  till_escpos_raw (pos, all_bytes, sizeof all_bytes);
  till_escpos_cut (pos);
  return till_escpos_finish (pos);
}

/* /hw/cups/print/bytes-identical */
START_TEST (test_print_bytes_identical)
{
  g_autoptr (GBytes) receipt = make_receipt ();
  g_autoptr (GByteArray) job = NULL;
  g_autoptr (GError) error = NULL;
  GThread *receiver = g_thread_new ("printer", receive_job_thread, NULL);
  gint64   start = g_get_monotonic_time ();
  gint64   elapsed_us;

  /* Closing waits for CUPS to report the job completed. */
  ck_assert_msg (till_transport_print_bytes ("cups://q", receipt, NULL, &error), "%s",
                 error ? error->message : "");
  elapsed_us = g_get_monotonic_time () - start;
  job = g_thread_join (receiver);
  g_print ("cups: submit to completed %.1f ms (%zu bytes)\n", elapsed_us / 1000.0,
           g_bytes_get_size (receipt));

  ck_assert_uint_eq (job->len, g_bytes_get_size (receipt));
  ck_assert_int_eq (memcmp (job->data, g_bytes_get_data (receipt, NULL), job->len), 0);
}
END_TEST

/* /hw/cups/print/label-pdf: shelf labels as PDF pages (format=pdf) reach the
 * queue whole, for a label printer's driver to print */
START_TEST (test_print_label_pdf)
{
  TillShelfLabel   label = { .name = "农夫山泉 饮用天然水 550ml",
                             .sku = "100001",
                             .barcode = "6921168509256",
                             .unit = "瓶",
                             .price = 200,
                             .printed_day = "2026-11-23" };
  g_autofree char *dir = till_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "labels.pdf", NULL);
  g_autoptr (GByteArray) job = NULL;
  g_autoptr (GBytes) pdf = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize            length = 0;
  GThread         *receiver;

  ck_assert_msg (till_shelf_label_write_pdf (&label, 1, 60, 40, path, &error), "%s",
                 error ? error->message : "");
  ck_assert (g_file_get_contents (path, &contents, &length, NULL));
  pdf = g_bytes_new_take (g_steal_pointer (&contents), length);
  receiver = g_thread_new ("printer", receive_job_thread, NULL);
  ck_assert_msg (till_transport_print_bytes ("cups://q?format=pdf", pdf, NULL, &error), "%s",
                 error ? error->message : "");
  job = g_thread_join (receiver);
  ck_assert_uint_eq (job->len, length);
  ck_assert_int_eq (memcmp (job->data, g_bytes_get_data (pdf, NULL), length), 0);
  ck_assert_int_eq (memcmp (job->data, "%PDF-", 5), 0);
  till_test_remove_tree (dir);
}
END_TEST

/* /hw/cups/uri/bad-format */
START_TEST (test_bad_format)
{
  g_autoptr (GBytes) bytes = g_bytes_new_static ("x", 1);
  g_autoptr (GError) error = NULL;

  ck_assert (!till_transport_print_bytes ("cups://q?format=postscript", bytes, NULL, &error));
  ck_assert (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT));
}
END_TEST

/* /hw/cups/queue/missing */
START_TEST (test_missing_queue)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillTransport) transport = till_transport_open ("cups://NoSuchQueue", &error);

  ck_assert (transport == NULL);
  ck_assert_msg (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND), "%s", error->message);
  ck_assert_msg (g_str_has_prefix (error->message, "cups://NoSuchQueue"), "%s", error->message);
  ck_assert_msg (strstr (error->message, "no queue “NoSuchQueue”") != NULL, "%s", error->message);
}
END_TEST

/* /hw/cups/queue/stopped: a disabled queue is refused before any job. */
START_TEST (test_stopped_queue)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillTransport) transport = till_transport_open ("cups://stopped", &error);

  ck_assert (transport == NULL);
  ck_assert_msg (strstr (error->message, "stopped") != NULL, "%s", error->message);
  ck_assert_msg (g_str_has_prefix (error->message, "cups://stopped"), "%s", error->message);
}
END_TEST

/* /hw/cups/list: the queues the admin tool shows. */
START_TEST (test_list_queues)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) queues = till_transport_cups_list_queues (&error);
  gboolean found_q = FALSE;
  gboolean found_stopped = FALSE;

  ck_assert_msg (queues != NULL, "%s", error ? error->message : "");
  for (guint i = 0; i < queues->len; i++)
    {
      TillCupsQueueInfo *info = g_ptr_array_index (queues, i);

      if (g_str_equal (info->name, "q"))
        {
          found_q = TRUE;
          ck_assert (!info->stopped);
          ck_assert_msg (g_str_has_prefix (info->device_uri, "socket://127.0.0.1:"), "%s",
                         info->device_uri);
        }
      if (g_str_equal (info->name, "stopped"))
        found_stopped = info->stopped;
    }
  ck_assert (found_q);
  ck_assert (found_stopped);
}
END_TEST

static Suite *
cups_suite (void)
{
  Suite *suite = suite_create ("hw/cups");
  TCase *tc = tcase_create ("cupsd");

  /* One scheduler for the suite, started and stopped in the parent process. */
  tcase_add_unchecked_fixture (tc, setup_cupsd, teardown_cupsd);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_print_bytes_identical);
  tcase_add_test (tc, test_print_label_pdf);
  tcase_add_test (tc, test_bad_format);
  tcase_add_test (tc, test_missing_queue);
  tcase_add_test (tc, test_stopped_queue);
  tcase_add_test (tc, test_list_queues);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (cups_suite ());
}
