/**
 * multipart/form-data bodies for upload tests (Fastify inject).
 */
const BOUNDARY = '----vsa-test-boundary';

/** A multipart/form-data body with one file field. */
export function multipart(content: string | Buffer, filename = 'contacts.csv') {
  const head = Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: text/csv\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
  return { payload: Buffer.concat([head, typeof content === 'string' ? Buffer.from(content) : content, tail]), contentType: `multipart/form-data; boundary=${BOUNDARY}` };
}
