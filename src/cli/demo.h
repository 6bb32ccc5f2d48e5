/* demo.h — `simtop --demo`: a simtop-emu of our own on a free loopback port. */
#ifndef SIMTOP_DEMO_H
#define SIMTOP_DEMO_H

#include <stdbool.h>
#include <stddef.h>

/* The application token the demo emulator accepts. */
#define DEMO_TOKEN "emu-demo-token"

/* Start simtop-emu (beside this program, else in the configured bindir, else on PATH) with a
 * fleet of devices, and wait for its port; false with a message when there is none, or when it
 * does not start. On success *base_url is "http://127.0.0.1:PORT" (caller frees). The emulator
 * is stopped by demo_stop(), and also dies with simtop if simtop is killed. */
bool demo_start(long devices, char **base_url, char *message, size_t size);
void demo_stop(void);

#endif
