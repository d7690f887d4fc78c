/* opentill-printer-sim.c: renders an ESC/POS byte dump as receipt PNGs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "opentill-printer-sim"

#include "config.h"

#include <locale.h>
#include <stdlib.h>

#include "till-printer-sim.h"

int
main (int argc, char *argv[])
{
  int width_mm = 80;
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TillPrinterSim) sim = NULL;
  g_autofree char   *contents = NULL;
  gsize              len;
  guint              n_written = 0;
  const GOptionEntry entries[] = {
    { "width", 'w', 0, G_OPTION_ARG_INT, &width_mm, "Paper width in mm: 58 or 80", "MM" },
    { NULL },
  };

  setlocale (LC_ALL, "");
  context = g_option_context_new ("INPUT.bin OUTDIR");
  g_option_context_set_summary (
      context, "Prints an ESC/POS byte dump on a simulated receipt printer and "
               "writes each receipt (split at each cut) as OUTDIR/receipt-NNNN.png.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
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
