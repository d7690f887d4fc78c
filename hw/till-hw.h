/* till-hw.h: libtill-hw in one include: the ESC/POS encoder and the transports
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "till-escpos.h"
#include "till-transport.h"
#include "till-printer-status.h"
#include "till-transport-cups.h"
#include "till-transport-serial.h"
#include "till-transport-tcp.h"
#include "till-transport-usb.h"
#include "till-pole-display.h"
#include "till-printer-profile.h"
#include "till-scale.h"
#include "till-serial-scanner.h"
#include "till-camera-scanner.h"
