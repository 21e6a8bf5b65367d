/**
 * raspberrypi-liquid-crystal is an optionalDependency: where it (or its native i2c-bus and
 * sleep addons) did not install, this shorthand declaration keeps `import()` of it
 * type-checking. Only hardware/display/hd44780.ts imports it, and it describes the part it
 * uses itself (LcdDevice, LcdConstructor), because the package's own index.d.ts is
 * incomplete: it has no close() and no fifth constructor parameter (line addresses), and
 * misspells some callback names (printLineASync, cursorAync). A full declaration here would
 * clash with that file when the package is installed (TS2300 "Duplicate identifier 'LCD'").
 */
declare module "raspberrypi-liquid-crystal";
