// Viewer request of the web app's default behaviour: a path without a file extension
// is one of the single-page app's routes, so CloudFront serves /index.html for it.
function handler(event) {
  var request = event.request;
  var last = request.uri.split("/").pop();
  if (last.indexOf(".") === -1) {
    request.uri = "/index.html";
  }
  return request;
}
