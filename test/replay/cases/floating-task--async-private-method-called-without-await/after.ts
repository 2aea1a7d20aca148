// @ts-nocheck — an excerpt that imports modules which are not here; asyncpat lints it, tsc does not check it.
// Replay case (after the fix) — excerpt of public code, kept under its original license (MIT).
// Repository: https://github.com/tv2/v-connection
// Commit:     7fb110683f9f5f570e97a446752b69ea3d41abc7 (fix)
// Path:       src/rundown.ts
// Subject:    fix: SOF-941 add missing awaits
// Rule:       floating-task should report the buggy (before) version; the fixed (after) version should be quiet for it.
// Shape:      class method calls this.assertXDoesNotExist(id) / this.checkChannelMapWasBuilt() (private async methods of the same class) as bare statements; the assertion's rejection goes unhandled
// Note:       The class is cut down to createElement and the private async methods it calls.

import {
	VRundown,
	VTemplate,
	InternalElement,
	ExternalElement,
	VElement,
	ExternalElementId,
	ElementId,
	isExternalElement,
	InternalElementId,
	isInternalElement,
	InternalElementIdWithCreator,
} from './v-connection'
import { CommandResult, createHTTPContext, HttpMSEClient, HTTPRequestError } from './msehttp'
import { InexistentError, LocationType, PepResponse } from './peptalk'
import { CREATOR_NAME, MSERep } from './mse'
import { flattenEntry, AtomEntry, FlatEntry } from './xml'
import * as uuid from 'uuid'
import { has, wrapInBracesIfNeeded } from './util'

export class Rundown implements VRundown {
	async createElement(
		elementId: ElementId,
		templateName?: string,
		textFields?: string[],
		channel?: string
	): Promise<VElement> {
		// TODO ensure that a playlist is created with sub-element "elements"
		if (isInternalElement(elementId)) {
			await this.assertInternalElementDoesNotExist(elementId)
			return this.createInternalElement(elementId, templateName as string, textFields as string[], channel)
		} else {
			await this.checkChannelMapWasBuilt()
			await this.assertExternalElementDoesNotExist(elementId)
			return this.createExternalElement(elementId)
		}
	}

	private async assertInternalElementDoesNotExist(elementId: InternalElementId) {
		try {
			await this.getElement(elementId)
			throw new Error(`An internal graphics element with name '${elementId.instanceName}' already exists.`)
		} catch (err) {
			if (err.message.startsWith('An internal graphics element')) throw err
		}
	}

	private async assertExternalElementDoesNotExist(elementId: ExternalElementId) {
		try {
			await this.getElement(elementId)
			throw new Error(`An external graphics element with name '${elementId.vcpid}' already exists.`)
		} catch (err) {
			if (err.message.startsWith('An external graphics element')) throw err
		}
	}

	private async checkChannelMapWasBuilt() {
		try {
			await this.initialChannelMapPromise
		} catch (err) {
			console.error(`Warning: createElement: Channel map not built: ${err.message}`)
		}
	}
}
