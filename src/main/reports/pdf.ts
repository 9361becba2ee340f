import { pathToFileURL } from 'node:url';
import { runChromium } from './chromium';

/** Turns an HTML file into a PDF; the Electron host supplies one built on webContents.printToPDF. */
export type PdfPrinter = (htmlPath: string, pdfPath: string) => Promise<void>;
/** Rasterises an SVG file of the given CSS size into a PNG. */
export type PngRasteriser = (svgPath: string, pngPath: string, size: { width: number; height: number }) => Promise<void>;

/** PDF with headless Chromium; the page's print CSS decides the layout, no header or footer lines. */
export const chromiumPdf: PdfPrinter = (htmlPath, pdfPath) =>
  runChromium(pathToFileURL(htmlPath).href, [`--print-to-pdf=${pdfPath}`, '--no-pdf-header-footer'], pdfPath);

/** PNG at twice the CSS size (sharp in papers and on high-density screens): a screenshot of the SVG alone. */
export const chromiumPng: PngRasteriser = (svgPath, pngPath, { width, height }) =>
  runChromium(
    pathToFileURL(svgPath).href,
    [`--screenshot=${pngPath}`, `--window-size=${width},${height}`, '--force-device-scale-factor=2', '--default-background-color=ffffffff'],
    pngPath,
  );
