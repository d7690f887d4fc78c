/* till-sim-devices.h: the sim:// transport, every simulated device in process
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Makes till_transport_open() answer sim://HOST?… with a simulator in the
 * process, speaking the device's real bytes, so the driver above cannot tell it
 * from a serial port. Safe to call more than once, from any thread.
 *
 * sim://printer?dir=DIR&width=58|80
 *     an ESC/POS printer writing DIR/receipt-NNNN.png per receipt
 *     (till-printer-sim.h).
 *
 * sim://scale?protocol=NAME[&weight=KG][&control=FILE][&mode=…][&variant=…]
 *     a scale speaking NAME (toledo-8217, adam, cas-pd2, cas, aclas-os2x,
 *     xk3190; mode= and variant= as in till-scale-sim.h), for till_scale_open().
 *     weight= is what lies on the platter, in kg ("0.456", or "456g"), 0 when
 *     absent. control=FILE (an absolute path) is re-read before every exchange
 *     with the scale, so a demo user puts goods on it by writing the file:
 *       echo 1.250 > FILE            1.250 kg, at rest
 *       echo "0.300 unstable" > FILE  in motion (also stable, overload, underload)
 *     A missing or empty file means the weight= value; a file that does not
 *     parse leaves the scale showing what it showed.
 *
 * sim://display?[protocol=led8|cd5220|epson][&model=…][&dir=DIR]
 *     a customer pole display (till-display-sim.h) that, after every command,
 *     writes what it shows to DIR/display.png and DIR/display.txt (the protocol,
 *     then the digits and lit lamps of the LED or the two rows of a VFD),
 *     replacing them atomically. till_pole_display_new() keeps protocol= and
 *     model= for itself, so the simulator usually gets neither: it then decodes
 *     the bytes as each display would and shows the one they make sense to
 *     (the fewest bytes it would not understand; an LED first on a tie). */
void till_sim_register_transports (void);

/* Parses a weight as weight= and the control file take it: kilograms with up to
 * three decimals ("0.456", "-0.010", "2"), or "…kg" / "…g". */
gboolean till_sim_parse_weight (const char *text, gint64 *out_grams);

G_END_DECLS
