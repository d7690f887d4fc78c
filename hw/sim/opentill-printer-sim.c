/* opentill-printer-sim.c: renders an ESC/POS byte dump as receipt PNGs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "opentill-printer-sim"

#include "config.h"

#include <glib-unix.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "till-printer-sim.h"

typedef struct
{
  TillPrinterSim *sim;
  const char     *dir;
  GMainLoop      *loop;
} Server;

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (((Server *) data)->loop);
  return G_SOURCE_CONTINUE;
}

/* Renders the receipts that finished since the last look. */
static gboolean
write_receipts_cb (gpointer data)
{
  Server *server = data;
  g_autoptr (GError) error = NULL;
  guint n_written = 0;

  if (!till_printer_sim_write_receipts (server->sim, server->dir, &n_written, &error))
    g_printerr ("%s\n", error->message);
  else if (n_written > 0)
    g_print ("%u receipt(s) written to %s\n", n_written, server->dir);
  return G_SOURCE_CONTINUE;
}

/* --pty / --tcp: serve until SIGINT or SIGTERM, for store IT and the demo. */
static int
serve (TillPrinterSim *sim, gboolean pty, int tcp_port, const char *dir, const char *state_name)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Server              server = { sim, dir, loop };
  TillPrinterSimState state = TILL_PRINTER_SIM_ONLINE;

  if (state_name != NULL && !till_printer_sim_state_from_string (state_name, &state))
    {
      g_printerr ("Unknown state “%s”: online, paper-near-end, paper-out, cover-open or "
                  "offline\n",
                  state_name);
      return EXIT_FAILURE;
    }
  till_printer_sim_set_state (sim, state);
  if (pty)
    {
      g_autofree char *path = till_printer_sim_serve_pty (sim, &error);

      if (path == NULL)
        {
          g_printerr ("%s\n", error->message);
          return EXIT_FAILURE;
        }
      /* The first line is the device, for scripts: serial:///dev/pts/N. */
      g_print ("serial://%s\n", path);
    }
  else
    {
      guint16 port = till_printer_sim_serve_tcp (sim, (guint16) tcp_port, &error);

      if (port == 0)
        {
          g_printerr ("%s\n", error->message);
          return EXIT_FAILURE;
        }
      g_print ("tcp://127.0.0.1:%u\n", port);
    }
  fflush (stdout);
  g_unix_signal_add (SIGINT, quit_cb, &server);
  g_unix_signal_add (SIGTERM, quit_cb, &server);
  if (dir != NULL)
    g_timeout_add (500, write_receipts_cb, &server);
  g_main_loop_run (loop);
  till_printer_sim_stop_serving (sim);
  if (dir != NULL)
    write_receipts_cb (&server);
  {
    g_autoptr (GBytes) received = till_printer_sim_dup_received (sim);

    g_print ("%" G_GSIZE_FORMAT " byte(s) received, %u receipt(s) printed\n",
             g_bytes_get_size (received), till_printer_sim_get_n_receipts (sim));
  }
  return EXIT_SUCCESS;
}

int
main (int argc, char *argv[])
{
  int              width_mm = 80;
  gboolean         pty = FALSE;
  int              tcp_port = -1;
  g_autofree char *dir = NULL;
  g_autofree char *state_name = NULL;
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TillPrinterSim) sim = NULL;
  g_autofree char   *contents = NULL;
  gsize              len;
  guint              n_written = 0;
  const GOptionEntry entries[] = {
    { "width", 'w', 0, G_OPTION_ARG_INT, &width_mm, "Paper width in mm: 58 or 80", "MM" },
    { "pty", 0, 0, G_OPTION_ARG_NONE, &pty,
      "Serve a serial printer on a new pseudo-terminal; prints serial:///dev/pts/N", NULL },
    { "tcp", 0, 0, G_OPTION_ARG_INT, &tcp_port,
      "Serve a network printer on 127.0.0.1:PORT (0: any free port); prints the URI", "PORT" },
    { "dir", 'd', 0, G_OPTION_ARG_FILENAME, &dir,
      "With --pty or --tcp: write each receipt as DIR/receipt-NNNN.png", "DIR" },
    { "state", 0, 0, G_OPTION_ARG_STRING, &state_name,
      "With --pty or --tcp: online, paper-near-end, paper-out, cover-open or offline", "STATE" },
    { NULL },
  };

  setlocale (LC_ALL, "");
  context = g_option_context_new ("INPUT.bin OUTDIR | --pty | --tcp PORT");
  g_option_context_set_summary (
      context, "Prints an ESC/POS byte dump on a simulated receipt printer and "
               "writes each receipt (split at each cut) as OUTDIR/receipt-NNNN.png.\n"
               "With --pty or --tcp it is a printer on a serial line or the network "
               "instead, answering status requests (DLE EOT), until interrupted.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }
  if ((pty || tcp_port >= 0) && argc == 1 && !(pty && tcp_port >= 0) && tcp_port <= 65535 &&
      (width_mm == 58 || width_mm == 80))
    {
      g_autoptr (TillPrinterSim) server_sim = till_printer_sim_new (width_mm == 58 ? 384 : 576);

      return serve (server_sim, pty, tcp_port, dir, state_name);
    }
  if (argc != 3 || (width_mm != 58 && width_mm != 80))
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      g_printerr ("%s", help);
      return EXIT_FAILURE;
    }
  if (!g_file_get_contents (argv[1], &contents, &len, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }

  sim = till_printer_sim_new (width_mm == 58 ? 384 : 576);
  till_printer_sim_feed (sim, (const guint8 *) contents, len);
  till_printer_sim_end_of_stream (sim);
  if (!till_printer_sim_write_receipts (sim, argv[2], &n_written, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }

  g_print ("%u receipt(s) written to %s\n", n_written, argv[2]);
  g_print ("lines %u, QR codes %u, cuts %u, drawer kicks %u, raster images %u\n",
           till_printer_sim_get_lines (sim)->len, till_printer_sim_get_qr_payloads (sim)->len,
           till_printer_sim_get_n_cuts (sim), till_printer_sim_get_n_drawer_kicks (sim),
           till_printer_sim_get_n_raster_images (sim));
  if (till_printer_sim_get_n_garbage_bytes (sim) > 0 ||
      till_printer_sim_get_n_truncated (sim) > 0 ||
      till_printer_sim_get_n_unsupported_chars (sim) > 0 ||
      till_printer_sim_get_n_overflows (sim) > 0)
    g_print ("warnings: %u garbage bytes, %u truncated commands, %u unprintable characters, "
             "%u overlong lines\n",
             till_printer_sim_get_n_garbage_bytes (sim), till_printer_sim_get_n_truncated (sim),
             till_printer_sim_get_n_unsupported_chars (sim),
             till_printer_sim_get_n_overflows (sim));
  if (till_printer_sim_get_n_receipts (sim) == 0)
    g_print ("No cut in the stream: nothing was rendered.\n");
  return EXIT_SUCCESS;
}
