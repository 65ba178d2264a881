//! The OpenAPI 3 document served at `/openapi.json`. A test checks that its paths and methods
//! are exactly the API's routes and that real responses match its schemas' required fields.

use axum::Json;
use serde_json::{json, Value};

pub async fn document() -> Json<Value> {
    Json(spec())
}

pub fn spec() -> Value {
    let error = |description: &str| json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    let group_id =
        json!({"name": "group_id", "in": "path", "required": true, "schema": {"type": "string"}});
    let event_id =
        json!({"name": "event_id", "in": "path", "required": true, "schema": {"type": "string"}});
    let bearer = json!([{"bearer": []}]);
    let optional_bearer = json!([{}, {"bearer": []}]);
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Kinship peer-group server",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Groups publish events to anonymous members. Errors are {\"error\": {\"code\", \"message\"}}. Rate limits answer 429 with Retry-After."
        },
        "paths": {
            "/healthz": {"get": {"summary": "Liveness", "responses": {"200": {"description": "ok"}}}},
            "/metrics": {"get": {"summary": "Prometheus metrics", "responses": {"200": {"description": "text exposition format"}}}},
            "/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3"}}}},
            "/v1/groups": {"get": {
                "summary": "List public groups",
                "parameters": [{"name": "q", "in": "query", "required": false, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "groups", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Group"}}}}}, "429": error("rate limited")}
            }},
            "/v1/groups/{group_id}": {"get": {
                "summary": "One group (private groups need a member or organizer token)",
                "parameters": [group_id], "security": optional_bearer,
                "responses": {"200": {"description": "group", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Group"}}}},
                              "401": error("token needed"), "403": error("wrong token"), "404": error("no such group")}
            }},
            "/v1/groups/{group_id}/join": {"post": {
                "summary": "Join a private group with its invite code; returns an opaque member token",
                "parameters": [group_id],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/JoinRequest"}}}},
                "responses": {"201": {"description": "joined", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/JoinResponse"}}}},
                              "400": error("malformed JSON"), "403": error("wrong invite code"), "404": error("no such group"),
                              "409": error("public group"), "413": error("body too large"), "415": error("the body is not JSON"), "422": error("invalid")}
            }},
            "/v1/groups/{group_id}/events": {
                "get": {
                    "summary": "The group's change feed after a cursor",
                    "parameters": [group_id,
                        {"name": "since", "in": "query", "required": false, "schema": {"type": "string"}, "description": "next_cursor of an earlier page; absent or 0 for the start"},
                        {"name": "limit", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": kinship_protocol::MAX_PAGE}},
                        {"name": "If-None-Match", "in": "header", "required": false, "schema": {"type": "string"}}],
                    "security": optional_bearer,
                    "responses": {"200": {"description": "a page", "headers": {"ETag": {"schema": {"type": "string"}}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FeedPage"}}}},
                                  "304": {"description": "nothing changed"}, "400": error("bad cursor or limit"), "401": error("token needed"),
                                  "403": error("wrong token"), "404": error("no such group"), "410": error("cursor older than the kept history: resync"), "429": error("rate limited")}
                },
                "post": {
                    "summary": "Create an event (organizer token). Idempotency-Key makes a retry apply once.",
                    "parameters": [group_id, {"name": "Idempotency-Key", "in": "header", "required": false, "schema": {"type": "string", "maxLength": 128}}],
                    "security": bearer,
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EventInput"}}}},
                    "responses": {"201": {"description": "created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Event"}}}},
                                  "400": error("malformed JSON"), "401": error("token needed"), "403": error("not this group's organizer"),
                                  "404": error("no such group"), "413": error("body too large"), "415": error("the body is not JSON"), "422": error("invalid field"), "429": error("rate limited")}
                }
            },
            "/v1/groups/{group_id}/events/{event_id}": {
                "get": {"summary": "One event", "parameters": [group_id, event_id], "security": optional_bearer,
                        "responses": {"200": {"description": "event", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Event"}}}},
                                      "401": error("token needed"), "403": error("wrong token"), "404": error("not found")}},
                "put": {"summary": "Replace an event (organizer token)", "parameters": [group_id, event_id], "security": bearer,
                        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EventInput"}}}},
                        "responses": {"200": {"description": "updated", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Event"}}}},
                                      "400": error("malformed JSON"), "401": error("token needed"), "403": error("not this group's organizer"),
                                      "404": error("not found"), "413": error("body too large"), "415": error("the body is not JSON"), "422": error("invalid field")}},
                "delete": {"summary": "Delete an event, leaving a tombstone in the feed (organizer token)", "parameters": [group_id, event_id], "security": bearer,
                           "responses": {"204": {"description": "deleted"}, "401": error("token needed"), "403": error("not this group's organizer"), "404": error("not found")}}
            },
            "/v1/directory/bundle": {"get": {"summary": "The latest signed directory bundle",
                "parameters": [{"name": "If-None-Match", "in": "header", "required": false, "schema": {"type": "string"}, "description": "the ETag of the version the phone has (\"directory-N\")"}],
                "responses": {"200": {"description": "a kinship-directory-bundle JSON document; ETag \"directory-N\""}, "304": {"description": "the phone has this version"}, "404": error("none published")}}},
            "/v1/directory/reports": {"post": {"summary": "Report that a directory entry did not work (anonymous: no token, no identifier)",
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DirectoryReport"}}}},
                "responses": {"202": {"description": "counted"}, "400": error("sent with a token, or malformed"), "413": error("body too large"), "415": error("the body is not JSON"),
                              "422": error("invalid field"), "429": error("too many reports from this address, or the report store is full")}}}
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "An organizer token (org_...) or a member token (mem_...)"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message"],
                    "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}},
                "Group": {"type": "object", "required": ["id", "name", "description", "visibility", "created_at"], "properties": {
                    "id": {"type": "string"}, "name": {"type": "string", "maxLength": kinship_protocol::MAX_GROUP_NAME_CHARS},
                    "description": {"type": "string"}, "visibility": {"type": "string", "enum": ["public", "private"]},
                    "created_at": {"type": "string", "format": "date-time"}}},
                "DirectoryReport": {"type": "object", "required": ["entry_id", "directory_version", "problem"], "additionalProperties": false, "properties": {
                    "entry_id": {"type": "string", "pattern": "^[a-z0-9-]{2,80}$"}, "directory_version": {"type": "integer", "minimum": 0},
                    "problem": {"type": "string", "enum": ["did_not_connect", "wrong_hours", "closed", "wrong_information"]},
                    "note": {"type": "string", "maxLength": kinship_protocol::MAX_REPORT_NOTE_CHARS, "nullable": true}}},
                "Place": {"type": "object", "required": ["name", "address"], "properties": {"name": {"type": "string"}, "address": {"type": "string"}}},
                "EventInput": {"type": "object", "description": "The server refuses fields not listed here (422).", "required": ["title", "starts_at", "ends_at", "time_zone", "category"], "properties": {
                    "title": {"type": "string", "minLength": 1, "maxLength": kinship_protocol::MAX_TITLE_CHARS},
                    "description": {"type": "string", "maxLength": kinship_protocol::MAX_DESCRIPTION_CHARS},
                    "starts_at": {"type": "string", "example": "2026-12-03T19:00:00", "description": "local wall-clock time in time_zone"},
                    "ends_at": {"type": "string", "example": "2026-12-03T21:00:00"},
                    "time_zone": {"type": "string", "example": "Europe/Lisbon", "description": "IANA time zone"},
                    "online_url": {"type": "string", "nullable": true}, "place": {"allOf": [{"$ref": "#/components/schemas/Place"}], "nullable": true},
                    "accessibility": {"type": "string", "nullable": true},
                    "category": {"type": "string", "enum": ["social", "advocacy", "workshop", "discussion", "other"]},
                    "status": {"type": "string", "enum": ["scheduled", "cancelled"], "default": "scheduled"}}},
                "Event": {"allOf": [{"$ref": "#/components/schemas/EventInput"}, {"type": "object", "required": ["id", "group_id", "version", "updated_at"], "properties": {
                    "id": {"type": "string"}, "group_id": {"type": "string"}, "version": {"type": "integer", "description": "the group's change sequence number of this version"},
                    "updated_at": {"type": "string", "format": "date-time"},
                    "organizer_signature": {"type": "string", "description": "reserved for an ed25519 signature by the organizer"}}}]},
                "FeedPage": {"type": "object", "required": ["changes", "tombstones", "next_cursor", "has_more"], "properties": {
                    "changes": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}},
                    "tombstones": {"type": "array", "items": {"type": "string"}},
                    "next_cursor": {"type": "string"}, "has_more": {"type": "boolean"}}},
                "JoinRequest": {"type": "object", "required": ["invite_code"], "properties": {"invite_code": {"type": "string"}}},
                "JoinResponse": {"type": "object", "required": ["member_token"], "properties": {"member_token": {"type": "string"}}}
            }
        }
    })
}
