import { type LanguageModelV3DataContent, UnsupportedFunctionalityError } from "@ai-sdk/provider";
import type { ConverseDocumentBlock, ConverseImageBlock } from "./converse-api-types.js";

const imageFormats: Readonly<Record<string, string>> = {
  "image/png": "png",
  "image/jpeg": "jpeg",
  "image/jpg": "jpeg",
  "image/gif": "gif",
  "image/webp": "webp",
};

const documentFormats: Readonly<Record<string, string>> = {
  "application/pdf": "pdf",
  "text/csv": "csv",
  "application/msword": "doc",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
  "application/vnd.ms-excel": "xls",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
  "text/html": "html",
  "text/plain": "txt",
  "text/markdown": "md",
};

/**
 * A file part of the prompt as a Converse `image` or `document` block, with its bytes base64
 * encoded (the JSON wire format of a blob). URLs are not fetched: pass the bytes.
 */
export function toConverseMediaBlock(
  file: { data: LanguageModelV3DataContent; mediaType: string; filename?: string | undefined },
  documentNumber: number,
): ConverseImageBlock | ConverseDocumentBlock {
  if (file.data instanceof URL) {
    throw new UnsupportedFunctionalityError({ functionality: "file URLs in Bedrock Converse prompts" });
  }
  const bytes = typeof file.data === "string" ? file.data : Buffer.from(file.data).toString("base64");
  const imageFormat = imageFormats[file.mediaType];
  if (imageFormat) return { image: { format: imageFormat, source: { bytes } } };
  const documentFormat = documentFormats[file.mediaType];
  if (!documentFormat) {
    throw new UnsupportedFunctionalityError({
      functionality: `file type ${file.mediaType} in Bedrock Converse`,
    });
  }
  return {
    document: {
      format: documentFormat,
      name: documentName(file.filename, documentNumber),
      source: { bytes },
    },
  };
}

/** Bedrock accepts letters, digits, single spaces, hyphens, parentheses and square brackets. */
function documentName(filename: string | undefined, documentNumber: number): string {
  const withoutExtension = filename?.replace(/\.[^.]*$/, "") ?? "";
  const cleaned = withoutExtension
    .replace(/[^A-Za-z0-9\s\-()[\]]/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return cleaned || `document-${documentNumber}`;
}
