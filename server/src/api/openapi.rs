//! The API's OpenAPI document, generated from the handlers' `#[utoipa::path]`
//! annotations and the schemas of the request and answer types (the wire
//! types come from `siteproof-protocol`'s `openapi` feature), so the
//! document describes what the code reads and answers rather than a
//! hand-kept copy of it. Who may call each operation is declared once, in the
//! route table (`api::build`): the document takes each operation's
//! `x-siteproof-access`, its bearer requirement and its 401/403 answers from
//! there. `server/openapi.json` is this document written out for tools that
//! read a file (`scripts/api-fuzz.sh`); regenerate it with
//! `SITEPROOF_WRITE_OPENAPI=1 cargo test -p siteproof-server --test server_routes openapi`.

use std::sync::LazyLock;

use utoipa::openapi::extensions::Extensions;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi, PartialSchema, ToSchema};

use super::{accounts, batch_exports, blobs, evidence, manifests, orders, packets, public, time_statements, tus};
use crate::web::routes::Access;

/// Raw bytes in a request or an answer (tus chunks, originals, packets).
pub struct Binary;

impl PartialSchema for Binary {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new().schema_type(Type::String).format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary))).into()
    }
}

impl ToSchema for Binary {}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Siteproof case server API / Siteproof 案件服务器接口",
        version = "1.0.0",
        description = "Every error is JSON {\"error\": code, \"message\": \"zh-CN / English\"}. Bearer tokens: session tokens \
            (POST /v1/login) or device tokens (POST /v1/enroll). Resources of another community answer 404. x-siteproof-access \
            says who may call each operation; the tenancy test checks it against the server."
    ),
    paths(
        public::time,
        public::server_key,
        public::openapi,
        public::health,
        accounts::login,
        accounts::logout,
        accounts::me,
        accounts::enroll,
        accounts::create_enroll_code,
        accounts::list_devices,
        accounts::revoke_device,
        accounts::create_user,
        accounts::set_real_name,
        tus::options,
        tus::create,
        tus::options_upload,
        tus::head,
        tus::patch,
        tus::terminate,
        blobs::exists,
        blobs::download,
        manifests::post,
        time_statements::post,
        evidence::anomalies,
        evidence::list,
        evidence::item,
        orders::list,
        orders::create,
        orders::import,
        orders::get,
        orders::update,
        orders::assign,
        orders::history,
        packets::export,
        batch_exports::packet,
        batch_exports::originals,
        orders::device_pull,
        orders::device_update,
    ),
    modifiers(&AccessFromRouteTable)
)]
struct ApiDoc;

/// The security scheme every non-public operation names.
const BEARER: &str = "bearer";
/// The shared error answer (`components/responses`).
const ERROR_RESPONSE: &str = "Error";

/// Writes who may call each operation into the document, from the route table.
struct AccessFromRouteTable;

impl Modify for AccessFromRouteTable {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(BEARER, SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
        let error = ResponseBuilder::new()
            .description("Error")
            .content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name("Error"))).build())
            .build();
        components.responses.insert(ERROR_RESPONSE.into(), RefOr::T(error));
        for route in super::routes() {
            // A route without an annotated handler stays undocumented; the route test names it.
            let Some(op) = doc.paths.paths.get_mut(route.path).and_then(|item| operation_mut(item, route.method)) else { continue };
            let access = serde_json::to_value(route.access).expect("an access level serializes as its name");
            op.extensions.get_or_insert_with(Extensions::default).insert("x-siteproof-access".into(), access);
            let error = || RefOr::Ref(Ref::from_response_name(ERROR_RESPONSE));
            if route.access == Access::Public {
                op.security = Some(Vec::new());
            } else {
                op.security = Some(vec![SecurityRequirement::new(BEARER, Vec::<String>::new())]);
                op.responses.responses.entry("401".into()).or_insert_with(error);
                op.responses.responses.entry("403".into()).or_insert_with(error);
            }
            op.responses.responses.entry("default".into()).or_insert_with(error);
        }
    }
}

/// The operation of one method in a path item.
fn operation_mut<'a>(item: &'a mut PathItem, method: &str) -> Option<&'a mut Operation> {
    match method {
        "GET" => item.get.as_mut(),
        "HEAD" => item.head.as_mut(),
        "POST" => item.post.as_mut(),
        "PATCH" => item.patch.as_mut(),
        "PUT" => item.put.as_mut(),
        "DELETE" => item.delete.as_mut(),
        "OPTIONS" => item.options.as_mut(),
        _ => None,
    }
}

/// The document, built once.
static DOCUMENT: LazyLock<String> =
    LazyLock::new(|| serde_json::to_string_pretty(&ApiDoc::openapi()).expect("the OpenAPI document serializes") + "\n");

/// The document as `GET /v1/openapi.json` serves it and `server/openapi.json` holds it.
pub fn document_json() -> &'static str {
    &DOCUMENT
}
